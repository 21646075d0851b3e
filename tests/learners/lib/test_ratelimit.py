import pytest
from django.core.cache import cache

from learners.lib import ratelimit


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, set by the test (the limiter reads time.time() and nothing else)."""
    now = {"t": 1_000_000 * 60.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    cache.clear()
    yield now
    cache.clear()


def test_a_burst_straddling_a_window_boundary_is_still_counted(clock):
    clock["t"] += 59.5  # the last half second of a window
    assert [ratelimit.over_limit("t", "ip", 3, 60) for _ in range(3)] == [False] * 3
    clock["t"] += 1.0  # just inside the next window: a fixed window would start again at 0
    assert ratelimit.over_limit("t", "ip", 3, 60) is True


def test_requests_older_than_the_window_are_forgotten(clock):
    assert [ratelimit.over_limit("t", "ip", 3, 60) for _ in range(4)] == [False] * 3 + [True]
    clock["t"] += 120.0
    assert ratelimit.over_limit("t", "ip", 3, 60) is False


def test_keys_and_scopes_count_apart(clock):
    assert [ratelimit.over_limit("t", "a", 1, 60) for _ in range(2)] == [False, True]
    assert ratelimit.over_limit("t", "b", 1, 60) is False
    assert ratelimit.over_limit("u", "a", 1, 60) is False
