from hms.lib import ratelimit


def test_hits_within_the_limit_pass_and_the_next_waits_for_the_window_to_end():
    answers = [ratelimit.hit("token-a", limit=3, period=60, now=120.0) for _ in range(3)]
    assert answers == [0, 0, 0]
    assert ratelimit.hit("token-a", limit=3, period=60, now=150.0) == 30


def test_a_new_window_starts_counting_again():
    for _ in range(4):
        ratelimit.hit("token-b", limit=3, period=60, now=120.0)
    assert ratelimit.hit("token-b", limit=3, period=60, now=180.0) == 0


def test_keys_are_counted_apart_and_never_stored_as_given():
    from django.core.cache import cache

    for _ in range(5):
        ratelimit.hit("secret-token", limit=1, period=60, now=60.0)
    assert ratelimit.hit("another-token", limit=1, period=60, now=60.0) == 0
    assert cache.get("ratelimit:secret-token:1") is None
