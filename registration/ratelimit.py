"""Limits on how often one address or one IP may submit, kept in Django's cache.

A fixed window per key: the first hit starts the window, later hits count up,
and the window ends on its own when the cache entry expires. Good enough to
stop a script from flooding someone's inbox, and no extra service to run.

When the shared cache (Redis) is down or hangs, the limiter fails *open*:
sign-ups and link requests go on, counted by a per-process limit with the
same numbers instead (so with N app processes a client may get up to N times
the limit), and every such hit is logged at ERROR level. Refusing every
sign-up during a cache outage would hurt every visitor to slow down a few
robots. docs/reliability.md says so; tests/test_rate_limits.py proves it.
"""

import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULT_LIMITS = {
    # scope: (hits allowed, window in seconds)
    "ip": (30, 3600),
    "email": (5, 3600),
    # "Send me my link" per address: its own count, so sign-ups someone made
    # with your address do not lock you out of your link, and more of them.
    "link": (10, 3600),
}

# The per-process fallback: key -> [window end (monotonic seconds), hits].
_local_windows = {}
_local_lock = threading.Lock()
_LOCAL_MAX_KEYS = 10_000


def limits(scope: str) -> tuple[int, int]:
    """The (hits, seconds) allowed for ``scope``, overridable in settings."""
    configured = getattr(settings, "REGISTRATION_RATE_LIMITS", {})
    return tuple(configured.get(scope, DEFAULT_LIMITS[scope]))


def allow(scope: str, value: str) -> bool:
    """Count one hit for ``value`` in ``scope``; False once it is over the limit."""
    hits, window = limits(scope)
    # Hash the value: cache keys must be short and safe, and addresses should
    # not sit in the cache in clear.
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    key = f"registration-rate:{scope}:{digest}"
    try:
        return _allow_shared(key, hits, window)
    except Exception as error:  # the cache is down or hangs: fail open, loudly
        logger.error(
            "rate limit %s: shared cache unavailable (%s); counting in this process only",
            scope, type(error).__name__,
        )
        return _allow_local(key, hits, window)


def _allow_shared(key, hits, window) -> bool:
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return True
    return count <= hits


def _allow_local(key, hits, window) -> bool:
    now = time.monotonic()
    with _local_lock:
        if len(_local_windows) >= _LOCAL_MAX_KEYS:  # drop ended windows, then the oldest
            for stale in [k for k, (end, _n) in _local_windows.items() if end <= now]:
                del _local_windows[stale]
            while len(_local_windows) >= _LOCAL_MAX_KEYS:
                del _local_windows[next(iter(_local_windows))]
        entry = _local_windows.get(key)
        if entry is None or entry[0] <= now:
            _local_windows[key] = [now + window, 1]
            return True
        entry[1] += 1
        return entry[1] <= hits


def forget_local_counts():
    """Empty the per-process counts (tests)."""
    with _local_lock:
        _local_windows.clear()


def client_ip(request) -> str:
    """The client's address as the server saw it.

    Behind a proxy, REMOTE_ADDR is set from the trusted proxy header by
    ``forum_site.middleware.ClientIPMiddleware`` (only a well-formed address);
    trusting X-Forwarded-For here would let anyone pick a new "IP" for every
    request.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def retry_after(scope: str) -> int:
    """Seconds a client should wait before trying again (the window length)."""
    return limits(scope)[1]
