"""The site's Redis cache backend: Django's, with its Redis client reused between calls.

``CACHES["default"]`` (settings) names it for any ``redis://`` CACHE_URL; the
page cache and the rate limits both go through it.
"""

import os
import time

import redis
from django.core.cache.backends import redis as django_redis

# How long subscribing may wait for Redis to confirm, as a command may.
_SUBSCRIBE_TIMEOUT = 0.5


class _ReusingRedisCacheClient(django_redis.RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool and process.

    Django builds a new ``redis.Redis`` for every cache call, and building one
    copies redis-py's table of ~170 reply parsers: about 0.1 ms, more than the
    round trip to Redis itself on a cache hit. The kept client holds one
    connection (``single_connection_client``: no pool check-out per call);
    redis-py serialises its use between threads with a lock and reconnects it
    after an error. Clients are made per process, so a fork never shares one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        index = (id(pool), os.getpid())
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=pool, single_connection_client=True
            )
        return client


class Subscription(redis.client.PubSub):
    """redis-py's PubSub, counting the times it connected again (and subscribed again) by itself."""

    connects = 0

    def on_connect(self, connection):
        self.connects += 1
        super().on_connect(connection)


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with its client reused (see above),
    and publish/subscribe for the page cache's generations (forum_site/pagecache/watch.py).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient

    def publish(self, channel: str, message: str) -> None:
        """Send ``message`` to every subscriber of ``channel``."""
        self._cache.get_client(write=True).publish(channel, message)

    def subscribe(self, channel: str) -> Subscription:
        """A subscription to ``channel``, confirmed by Redis: nothing published after is missed."""
        pool = self._cache._get_connection_pool(write=False)
        subscription = Subscription(connection_pool=pool)
        try:
            subscription.subscribe(channel)
            deadline = time.monotonic() + _SUBSCRIBE_TIMEOUT
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise redis.TimeoutError(f"no confirmation of the subscription to {channel}")
                message = subscription.get_message(timeout=left)
                if message is not None and message["type"] == "subscribe":
                    return subscription
        except BaseException:
            subscription.close()
            raise
