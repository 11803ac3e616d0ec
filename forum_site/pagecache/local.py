"""The entries this process served last, kept in its memory up to PAGE_CACHE_LOCAL_BYTES.

Only a copy: an entry is used only while its generations are still the
current ones in the shared cache, which is asked on every request. With the
entry at hand, a hit fetches only the small generation tokens from Redis.
"""

import threading
from collections import OrderedDict

from django.conf import settings


class LocalEntries:
    """The most recently used entries (anything with a ``size``), up to a number of bytes."""

    def __init__(self):
        self._entries = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        budget = settings.PAGE_CACHE_LOCAL_BYTES
        size = entry.size
        if size > budget // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > budget:
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0


local_entries = LocalEntries()
