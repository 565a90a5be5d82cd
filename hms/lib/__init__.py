"""The toolkit every app may import. It imports no app (and nothing else of `hms`)."""
