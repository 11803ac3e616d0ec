"""The shared cache of public pages and feeds, never anything personal.

An app marks a view cacheable in its URLs (``public_page``, ``public_feed``),
may say until when a response holds (``expire_at``), and calls
``bump_events`` when it changes what an event's pages show. The rest is
settings: ``forum_site.pagecache.middleware.PageCacheMiddleware`` in
MIDDLEWARE, ``forum_site.pagecache.backend.RedisCache`` in CACHES.

    policy.py       what is cacheable, under which key; the decorators
    generations.py  the tokens whose renewal makes an event's entries stale
    local.py        the entries this process keeps in memory
    middleware.py   the middleware: hits, misses, what is stored
    encoding.py     the compressed copies of an entry, and which one a client gets
    backend.py      the Redis cache backend

The package imports no app: an app tells it what its pages depend on
(``Choice``), never the other way round.
"""

from forum_site.pagecache.generations import bump_events
from forum_site.pagecache.policy import EVENT, SITE, Choice, expire_at, public_feed, public_page

__all__ = ["EVENT", "SITE", "Choice", "bump_events", "expire_at", "public_feed", "public_page"]
