"""Generations: how a saved change reaches every app instance's cached pages at once.

Each event has a *generation*: a random token in the shared cache (Redis in
production, so every app instance sees the same one). An entry remembers the
generations it was rendered under and is used only while they are still the
current ones. Saving or deleting anything shown on an event's pages (the
app's signal handlers) calls :func:`bump_events`, which gives the event a new
generation, so the next request on any instance renders afresh. The events
list has a site-wide generation that every change renews too. Code that
changes the programme without model signals (``QuerySet.update``,
``bulk_create``) must call :func:`bump_events` itself.

Every renewal is also published to the app processes (with Redis), so that
each can remember the tokens it read instead of asking Redis on every request
(forum_site/pagecache/watch.py); :func:`read` is how the tokens are read.
"""

import secrets
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from forum_site.pagecache import watch
from forum_site.pagecache.policy import EVENT, KEY_PREFIX, SITE

# A generation key may expire: a missing generation gets a new token, which
# simply makes every entry of that scope miss once.
_GENERATION_TIMEOUT = 7 * 24 * 3600


def generation_key(scope: str) -> str:
    """The shared cache's key of a scope's generation."""
    return f"{KEY_PREFIX}gen:{scope}"


def event_scope(slug: str) -> str:
    """The scope of one event's pages."""
    return f"{EVENT}:{slug}"


def scope_keys(policy, kwargs) -> list[str]:
    """The generation keys an entry of this policy (with these URL arguments) depends on."""
    if policy.scope == EVENT:
        return [generation_key(event_scope(kwargs.get("event", "")))]
    return [generation_key(SITE)]


def _new_token() -> str:
    """``<unix time>.<random>``: unique, and it says when the programme last changed."""
    return f"{int(time.time())}.{secrets.token_hex(6)}"


def last_modified(generations) -> int:
    """When the pages of these generations last changed: the newest renewal, or today.

    The events list is keyed by date too (it sorts by today), hence midnight.
    """
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    times = [int(str(token).split(".", 1)[0]) for token in generations
             if str(token).split(".", 1)[0].isdigit()]
    return max([int(midnight.timestamp()), *times])


def _renew(scopes) -> None:
    cache.set_many({generation_key(scope): _new_token() for scope in scopes},
                   timeout=_GENERATION_TIMEOUT)
    watching = watch.current_watch()
    if watching is not None:
        watching.forget()
        cache.publish(watching.channel, " ".join(sorted(scopes)))


def bump_events(slugs) -> None:
    """Make every cached page and feed of these events (and the events list) stale.

    Renews the generations now and again once the current transaction
    commits: a request that read the new generation before the commit could
    otherwise store the old programme under it.
    """
    scopes = {SITE} | {event_scope(slug) for slug in slugs if slug}
    _renew(scopes)
    transaction.on_commit(lambda: _renew(scopes))


def read(keys, also=()) -> dict:
    """What ``cache.get_many([*keys, *also])`` gives, with generation tokens from memory.

    ``keys`` are generation keys; ``also`` other keys fetched in the same
    round trip when one is needed (a page's entry). See watch.py for when a
    remembered token is used.
    """
    watching = watch.current_watch()
    if watching is None:
        return cache.get_many([*keys, *also])
    return watching.read(keys, also)


def current(found, keys) -> tuple:
    """The generations at ``keys``, given what a ``get_many`` of them ``found``.

    A missing one is created (and the first instance to create it wins).
    """
    generations = []
    for key in keys:
        value = found.get(key)
        if value is None:
            value = _new_token()
            if not cache.add(key, value, timeout=_GENERATION_TIMEOUT):
                value = cache.get(key) or value
        generations.append(value)
    return tuple(generations)
