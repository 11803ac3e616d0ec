"""Each process remembers generation tokens while Redis tells it of renewals; never stale.

Needs Redis (GENERATION_WATCH_REDIS_URL, default redis://127.0.0.1:6379/12):
without one these tests skip, as the watch itself stands aside without Redis.
"""

import os
import secrets
import time

import pytest
from django.core.cache import cache

from agenda.models import Session
from forum_site.pagecache import generations, watch
from forum_site.pagecache.backend import RedisCache
from tests.redis_support import redis_answers

REDIS_URL = os.environ.get("GENERATION_WATCH_REDIS_URL", "redis://127.0.0.1:6379/12")
AGENDA = "/en/events/zccf-2022/agenda/"
FORUM_KEY = generations.generation_key(generations.event_scope("zccf-2022"))


pytestmark = pytest.mark.skipif(not redis_answers(REDIS_URL),
                                reason=f"no Redis answers at {REDIS_URL}")


@pytest.fixture
def redis_cache(settings):
    """The site's Redis backend, under a key prefix (and so a channel) of this test's own."""
    prefix = f"watch-test-{secrets.token_hex(4)}"
    settings.CACHES = {"default": {"BACKEND": "forum_site.pagecache.backend.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    yield prefix
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    watch._watches.clear()


@pytest.fixture
def other_process(redis_cache):
    """Another app instance's view of the same cache: its own client, no shared memory."""
    return RedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache})


@pytest.fixture
def reads(monkeypatch, redis_cache):
    """The keys of every ``get_many`` this process sends to Redis, call by call."""
    calls = []
    real = cache.get_many

    def counted(keys, *args, **kwargs):
        calls.append(list(keys))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counted)
    return calls


def renew_elsewhere(other, key, token):
    """What bump_events does in another process: a new token, then the message."""
    other.set(key, token)
    other.publish(watch.channel(), "event:zccf-2022")


def wait_for_message():
    """Until the renewal's message has reached this process's subscription (at most 2 s)."""
    connection = watch.current_watch()._subscription.connection
    deadline = time.monotonic() + 2
    while not connection.can_read(timeout=0.01) and time.monotonic() < deadline:
        pass


def test_a_remembered_token_costs_no_round_trip(reads):
    cache.set(FORUM_KEY, "1.first")

    assert generations.read([FORUM_KEY]) == {FORUM_KEY: "1.first"}
    assert generations.read([FORUM_KEY]) == {FORUM_KEY: "1.first"}
    assert generations.read([FORUM_KEY], ["other"]) == {FORUM_KEY: "1.first"}

    assert reads == [[FORUM_KEY], ["other"]]


def test_a_renewal_in_another_process_is_seen_by_the_next_read(reads, other_process):
    cache.set(FORUM_KEY, "1.first")
    generations.read([FORUM_KEY])

    renew_elsewhere(other_process, FORUM_KEY, "2.second")
    wait_for_message()

    assert generations.read([FORUM_KEY]) == {FORUM_KEY: "2.second"}
    assert reads == [[FORUM_KEY], [FORUM_KEY]]


def test_a_renewal_here_is_seen_at_once_and_published(db, reads, other_process):
    listener = other_process.subscribe(watch.channel())
    generations.read([generations.generation_key(generations.SITE)])

    generations.bump_events({"zccf-2022"})

    message = listener.get_message(timeout=2)
    listener.close()
    assert message["type"] == "message"
    assert message["data"] in (b"event:zccf-2022 site", "event:zccf-2022 site")
    assert generations.read([FORUM_KEY]) == {FORUM_KEY: cache.get(FORUM_KEY)}
    assert len(reads) == 2


def test_a_token_read_while_a_renewal_came_is_not_remembered(monkeypatch, redis_cache,
                                                             other_process):
    cache.set(FORUM_KEY, "1.first")
    generations.read(["other"])  # subscribed
    real = cache.get_many
    calls = []

    def renewed_during_the_read(keys, *args, **kwargs):
        calls.append(list(keys))
        found = real(keys, *args, **kwargs)
        if len(calls) == 1:
            renew_elsewhere(other_process, FORUM_KEY, "2.second")
            wait_for_message()
        return found

    monkeypatch.setattr(cache, "get_many", renewed_during_the_read)

    assert generations.read([FORUM_KEY]) == {FORUM_KEY: "1.first"}  # read before the renewal
    assert generations.read([FORUM_KEY]) == {FORUM_KEY: "2.second"}
    assert calls == [[FORUM_KEY], [FORUM_KEY]]


def test_a_lost_subscription_forgets_every_token(reads, other_process):
    cache.set(FORUM_KEY, "1.first")
    generations.read([FORUM_KEY])
    connection = watch.current_watch()._subscription.connection
    host, port = connection._sock.getsockname()[:2]
    other_process._cache.get_client(write=True).client_kill(f"{host}:{port}")
    other_process.set(FORUM_KEY, "2.second")  # published while nobody listened

    assert generations.read([FORUM_KEY]) == {FORUM_KEY: "2.second"}
    assert reads == [[FORUM_KEY], [FORUM_KEY]]


def test_at_most_so_many_tokens_are_remembered(reads, monkeypatch):
    monkeypatch.setattr(watch, "MAX_REMEMBERED", 2)
    keys = [generations.generation_key(generations.event_scope(f"e{n}")) for n in range(3)]
    cache.set_many(dict.fromkeys(keys, "1.first"))

    for key in (keys[0], keys[1], keys[1], keys[2], keys[0], keys[2]):
        assert generations.read([key]) == {key: "1.first"}

    # The third token made the watch forget the first two.
    assert reads == [[keys[0]], [keys[1]], [keys[2]], [keys[0]]]


def test_tokens_are_read_again_after_the_trust_period(reads, monkeypatch):
    cache.set(FORUM_KEY, "1.first")
    monkeypatch.setattr(watch, "TRUST_SECONDS", 0.0)

    generations.read([FORUM_KEY])
    generations.read([FORUM_KEY])

    assert reads == [[FORUM_KEY], [FORUM_KEY]]


def test_without_a_subscription_every_read_asks_redis_and_retries_later(reads, monkeypatch):
    cache.set(FORUM_KEY, "1.first")
    attempts = []

    def refused(channel):
        attempts.append(channel)
        raise ConnectionError("subscription refused")

    monkeypatch.setattr(cache, "subscribe", refused)
    for _ in range(3):
        assert generations.read([FORUM_KEY]) == {FORUM_KEY: "1.first"}

    assert (len(attempts), len(reads)) == (1, 3)


def test_the_local_memory_cache_has_no_watch(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.set(FORUM_KEY, "1.first")

    assert watch.current_watch() is None
    assert generations.read([FORUM_KEY], ["other"]) == {FORUM_KEY: "1.first"}


def test_a_cached_hit_asks_redis_nothing_and_a_saved_change_shows_at_once(
        client, forum, redis_cache, monkeypatch):
    first = client.get(AGENDA)
    client.get(AGENDA)  # held in this process's memory too
    asked = []
    for name in ("get", "get_many"):
        real = getattr(cache, name)
        monkeypatch.setattr(cache, name,
                            lambda *args, real=real, **kwargs: asked.append(args) or real(*args,
                                                                                         **kwargs))

    hit = client.get(AGENDA)
    assert (hit["X-Page-Cache"], hit.content, asked) == ("hit", first.content, [])

    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    opening.title_en = "Welcome address"
    opening.save()
    fresh = client.get(AGENDA)

    assert fresh["X-Page-Cache"] == "miss"
    assert ('<a href="/en/events/zccf-2022/sessions/opening-remarks-day-1/">Welcome address</a>'
            in fresh.content.decode())
