"""A request counter per key in the shared cache, for the public endpoints' limits.

A sliding window, estimated from two fixed windows: the current window's count plus the previous
window's count weighted by how much of it still lies inside the last `window` seconds. Unlike a
plain fixed window it does not forget everything at a window's boundary, so a client cannot send
twice the limit by straddling one, and a burst just before a boundary still counts just after it.
"""

import time

from django.core.cache import cache


def over_limit(scope: str, key: str, limit: int, window: int) -> bool:
    """Count one request for `key`; true when the last `window` seconds hold more than `limit`."""
    index, offset = divmod(time.time(), window)
    current = f"rl:{scope}:{key}:{int(index)}"
    previous = f"rl:{scope}:{key}:{int(index) - 1}"
    cache.add(current, 0, timeout=2 * window + 1)  # read as `previous` in the next window
    try:
        count = cache.incr(current)
    except ValueError:  # expired between add and incr
        cache.set(current, 1, timeout=2 * window + 1)
        count = 1
    earlier = cache.get(previous, 0)
    return count + earlier * (1 - offset / window) > limit
