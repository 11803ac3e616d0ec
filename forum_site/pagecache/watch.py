"""Generations this process remembers while Redis tells it of every renewal.

A cached page may be sent only while the generations it was rendered under
are the current ones (generations.py). Asking Redis for them on every hit was
a round trip per request, about a fifth of a hit's cost (docs/performance.md).
Instead, each process subscribes to a channel on which every renewal is
published (:func:`generations.bump_events`), and remembers the tokens it has
read:

- A remembered token is used only while the subscription is up. Any message
  on the channel forgets every remembered token, and so does a new connection
  of the subscription (messages may have been lost while it was down): the
  next request reads them from Redis again.
- The subscription is read without waiting, by the request that needs a token,
  just before it uses one. Redis writes a renewal's message to every
  subscriber in the same pass as its reply to the process that renewed it,
  so by the time an organiser's save is answered the message has left for
  every instance: the next request anywhere sees the new generation, as when
  each hit asked Redis.
- A token read while a message came in is not remembered (it may predate the
  renewal), and none is kept longer than ``TRUST_SECONDS``: a message lost in
  a way no connection error reported costs at most that.
- Without a subscription (Redis down, or a cache backend without
  publish/subscribe, like the local-memory cache of a laptop) every read asks
  the cache, as before. A forked process starts with a subscription of its own.
"""

import os
import threading
import time

from django.core.cache import cache, caches

#: The longest a token is used without reading it again.
TRUST_SECONDS = 5.0
#: After a failed subscription, how long requests ask the cache before trying again.
RETRY_SECONDS = 5.0
#: The most tokens remembered; past it all are forgotten (a scanner asking for
#: made-up events must not grow a process's memory).
MAX_REMEMBERED = 10_000


class GenerationWatch:
    """Remembered generation tokens of one process, kept true by a subscription."""

    def __init__(self, channel: str):
        self.channel = channel
        self._lock = threading.Lock()
        self._pid = None
        self._subscription = None
        self._connects_seen = 0
        self._retry_at = 0.0
        self._known: dict[str, tuple[object, float]] = {}  # key -> (token, read at)
        self._epoch = 0  # rises whenever remembered tokens are forgotten

    def read(self, keys, also=()) -> dict:
        """The values at ``keys`` (generation keys) and at ``also``, as ``get_many`` gives them.

        Generation tokens come from memory when they can (see the module's
        docstring); whatever is missing, and every key in ``also``, is fetched
        in one ``get_many``. Errors of the cache are raised, as ``get_many``'s.
        """
        with self._lock:
            listening = self._listen()
            now = time.monotonic()
            known = {}
            if listening:
                for key in keys:
                    remembered = self._known.get(key)
                    if remembered is not None and now - remembered[1] < TRUST_SECONDS:
                        known[key] = remembered[0]
            epoch = self._epoch
        missing = [key for key in keys if key not in known]
        if not missing and not also:
            return known
        found = cache.get_many([*missing, *also])
        if listening and missing:
            with self._lock:
                if self._listen() and self._epoch == epoch:
                    if len(self._known) + len(missing) > MAX_REMEMBERED:
                        self._forget()
                    for key in missing:
                        if key in found:
                            self._known[key] = (found[key], now)
        return {**found, **known}

    def forget(self) -> None:
        """Forget every remembered token (this process renewed some)."""
        with self._lock:
            self._forget()

    def _forget(self):
        self._known.clear()
        self._epoch += 1

    def _listen(self) -> bool:
        """Whether remembered tokens may be used: subscribed, and every message read."""
        if self._pid != os.getpid():  # a fork: the parent's socket is not ours
            self._pid, self._subscription, self._retry_at = os.getpid(), None, 0.0
            self._forget()
        if self._subscription is None:
            if time.monotonic() < self._retry_at:
                return False
            try:
                self._subscription = cache.subscribe(self.channel)
                self._connects_seen = self._subscription.connects
            except Exception:  # Redis down: ask the cache until it is back
                self._drop()
                return False
        try:
            while (message := self._subscription.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    self._forget()
        except Exception:  # the connection broke: messages may be lost
            self._drop()
            return False
        if self._subscription.connects != self._connects_seen:
            # redis-py reconnected and subscribed again by itself: what was
            # published in between never arrived.
            self._connects_seen = self._subscription.connects
            self._forget()
        return True

    def _drop(self):
        subscription, self._subscription = self._subscription, None
        self._retry_at = time.monotonic() + RETRY_SECONDS
        self._forget()
        if subscription is not None:
            try:
                subscription.close()
            except Exception:  # already broken; nothing more to release
                pass


# One watch per process and cache (server, key prefix): tests may switch caches.
_UNSET = object()
_watches: dict[tuple, GenerationWatch] = {}


def channel() -> str:
    """The channel renewals are published on: the cache's key prefix is in its name.

    Channels are shared by every database of a Redis server, so two sites on
    one server hear each other's renewals: that only costs them round trips.
    """
    return cache.make_key("pagecache:generations")


def current_watch() -> GenerationWatch | None:
    """This process's watch over the default cache, or None if it cannot publish renewals."""
    backend = caches["default"]  # one instance per thread, all sharing the process's watch
    found = backend.__dict__.get("_generation_watch", _UNSET)
    if found is _UNSET:
        found = None
        if hasattr(backend, "subscribe"):
            name = channel()
            found = _watches.setdefault((tuple(backend._servers), name), GenerationWatch(name))
        backend._generation_watch = found
    return found
