"""The yardstick of the benchmark (issue 15): Django with no middleware.

bench/run serves this with the same gunicorn command as HMS (one sync worker on the same core) and
loads it in the same rounds. Two pages:

- `/hello`: "Hello" through Django's request handling and URL resolver, nothing else ("bare"):
  every HMS page is reported as a ratio to it.
- `/reference`: what a plain Django page costs: one query (20 appointments) and a 20-row table
  drawn by a Django template with the `date` filter, no middleware, no context processors.

HMS's own settings are reused for the database and the installed apps (the reference page reads
HMS's appointments); everything a request would pass through is taken away.
"""

from pathlib import Path

from hms.settings import *  # noqa: F403 - the same database and apps as HMS

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.bare_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"context_processors": []},
    }
]
# Only what the reference page's model needs (allauth, for one, insists on its middleware).
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "phonenumber_field",
    "accounts",
    "clinic",
    "scheduling",
]
