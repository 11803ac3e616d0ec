"""Limits on how often one address or one IP may submit, kept in Django's cache.

A fixed window per key: the first hit starts the window, later hits count up,
and the window ends on its own when the cache entry expires. Good enough to
stop a script from flooding someone's inbox, and no extra service to run.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMITS = {
    # scope: (hits allowed, window in seconds)
    "ip": (30, 3600),
    "email": (5, 3600),
}


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
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        return True
    return count <= hits


def client_ip(request) -> str:
    """The client's address as the server saw it.

    Behind a proxy, REMOTE_ADDR must be set from the trusted proxy header by
    the web server; trusting X-Forwarded-For here would let anyone pick a new
    "IP" for every request.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def retry_after(scope: str) -> int:
    """Seconds a client should wait before trying again (the window length)."""
    return limits(scope)[1]
