"""The shared cache of the public programme: pages and feeds, never anything personal.

What is cached
    Views wrapped with :func:`public_page` (events list, event overview, agenda,
    session, speakers) or :func:`public_feed` (.ics files, schedule.json), for
    anonymous visitors only. One entry per address (path and query), host and
    scheme, language (the URL prefix, or for feeds the negotiated language),
    viewer zone (``?tz=`` or the ``tz`` cookie) and release of the code.

Never stale
    Each event has a *generation*: a random token in the shared cache (Redis in
    production, so every app instance sees the same one). An entry remembers
    the generation it was rendered under and is used only while that is still
    the event's generation. Saving or deleting anything shown on an event's
    pages (agenda/signals.py) gives the event a new generation, so the next
    request on any instance renders afresh. The events list has a site-wide
    generation that every change renews too. Code that changes the programme
    without model signals (``QuerySet.update``, ``bulk_create``) must call
    :func:`bump_events` itself.

Never personal
    A request that carries a session or messages cookie (a signed-in organiser,
    someone with a flash message) is neither served from the cache nor stored:
    organisers see fresh pages. A response is stored only if it is a plain 200
    that embeds no CSRF token, sets no cookie other than the zone the URL asked
    for, and does not say ``private`` or ``no-store``. Registration pages are
    not wrapped at all. Unknown query parameters, made-up zones and languages
    skip the cache, so random ``?x=…`` or ``?tz=…`` cannot fill it. The
    agenda's filters (``?track=…``) are checked by the view, which answers a
    value the event does not have with a 400, never stored; its free-text
    search (``?q=…``) is always answered fresh, since every typed term would
    otherwise get an entry of its own.

Fast
    :class:`PageCacheMiddleware` sits below the security-header middleware and
    above sessions, languages and CSRF: a hit costs one round trip to the cache
    (the entry and its generation are read together) and none of the work
    below. Entries carry an ETag and Last-Modified; conditional requests get
    304 Not Modified.

Never a stale "now"
    A page that says where an event stands (``agenda/event_life.py``) calls
    :func:`expire_at` with the event's next boundary (a session starting or
    ending, the registration window opening or closing): its entry is used
    only until then, so the clock alone moves it on, without any edit.

When the cache is down
    Pages are served fresh (``X-Page-Cache: bypass``) and a warning is
    logged. Saving a change to the programme fails instead: without a new
    generation, copies in a cache that comes back would be stale.
"""

import functools
import hashlib
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from agenda import timezones

logger = logging.getLogger(__name__)

KEY_PREFIX = "pagecache:"
SITE = "site"
EVENT = "event"
#: Response header saying how the cache answered: hit, miss or bypass.
STATUS_HEADER = "X-Page-Cache"

# A generation key may expire: a missing generation gets a new token, which
# simply makes every entry of that scope miss once.
_GENERATION_TIMEOUT = 7 * 24 * 3600
# Conditional headers are kept from the view on a miss, so that the stored
# entry is always the full 200 (the view's own ETag included).
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                        "HTTP_IF_UNMODIFIED_SINCE")
_VARY_ALLOWED = frozenset({"cookie", "accept-language", "accept-encoding"})


@dataclass(frozen=True)
class Policy:
    """How a view's responses are cached."""

    scope: str  # EVENT: the URL's ``event`` argument names the event; SITE: all events
    params: tuple[str, ...]  # query parameters that may appear (others skip the cache)
    vary_on_zone: bool  # the page shows times in the viewer's zone (tz cookie)
    # Parameters whose values the view checks against its data, answering 400
    # to one it does not know (only a 200 is stored).
    filters: tuple[str, ...] = ()
    # Free text: a request with a non-empty value is answered fresh, never stored.
    search: tuple[str, ...] = ()


#: Longest filter value worth a look-up; longer ones are answered fresh.
_MAX_FILTER_VALUE = 200


def public_page(view=None, *, scope=EVENT, filters=(), search=()):
    """Cache a public page for anonymous visitors (see the module docstring).

    ``filters`` and ``search`` name the query parameters the page takes
    besides ``tz`` (the agenda's filters and its text search).
    """
    if view is None:
        return functools.partial(public_page, scope=scope, filters=filters, search=search)
    policy = Policy(scope=scope, params=("tz", *filters, *search), vary_on_zone=True,
                    filters=tuple(filters), search=tuple(search))
    return _with_policy(view, policy)


def public_feed(view):
    """Cache a machine-readable feed of an event (.ics, schedule.json)."""
    return _with_policy(view, Policy(scope=EVENT, params=("lang",), vary_on_zone=False))


def _with_policy(view, policy):
    # The view itself is left as it is; the middleware finds the policy on the
    # wrapper that the URL resolves to. A cacheable page is read, never
    # posted to: other methods get 405 with "Allow: GET, HEAD".
    safe_view = require_safe(view)

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        return safe_view(request, *args, **kwargs)

    cached_view.page_cache = policy
    return cached_view


def expire_at(response, moment):
    """Keep the cached copy of ``response`` only until ``moment`` (an aware datetime, or None)."""
    response.page_cache_expires_at = moment
    return response


# Generations ----------------------------------------------------------------

def _generation_key(scope: str) -> str:
    return f"{KEY_PREFIX}gen:{scope}"


def event_scope(slug: str) -> str:
    return f"{EVENT}:{slug}"


def _new_token() -> str:
    """``<unix time>.<random>``: unique, and it says when the programme last changed."""
    return f"{int(time.time())}.{secrets.token_hex(6)}"


def _last_modified(generations) -> int:
    """When the pages of these generations last changed: the newest renewal, or today.

    The events list is keyed by date too (it sorts by today), hence midnight.
    """
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    times = [int(str(token).split(".", 1)[0]) for token in generations
             if str(token).split(".", 1)[0].isdigit()]
    return max([int(midnight.timestamp()), *times])


def _renew(scopes) -> None:
    timeout = _GENERATION_TIMEOUT
    cache.set_many({_generation_key(scope): _new_token() for scope in scopes}, timeout=timeout)


def bump_events(slugs) -> None:
    """Make every cached page and feed of these events (and the events list) stale.

    Renews the generations now and again once the current transaction
    commits: a request that read the new generation before the commit could
    otherwise store the old programme under it.
    """
    scopes = {SITE} | {event_scope(slug) for slug in slugs if slug}
    _renew(scopes)
    transaction.on_commit(lambda: _renew(scopes))


def _generations(found, scope_keys):
    generations = []
    for key in scope_keys:
        value = found.get(key)
        if value is None:
            value = _new_token()
            if not cache.add(key, value, timeout=_GENERATION_TIMEOUT):
                value = cache.get(key) or value
        generations.append(value)
    return tuple(generations)


def _lookup(scope_keys, page_key):
    """The current generations of ``scope_keys`` and the valid entry at ``page_key``, if any.

    One round trip to the shared cache when this process holds the page
    already (only the small generation tokens travel), two otherwise.
    """
    local = _local_entries.get(page_key)
    found = cache.get_many(scope_keys if local is not None else [*scope_keys, page_key])
    generations = _generations(found, scope_keys)
    if local is not None:
        if local.generations == generations:
            return generations, local
        entry = cache.get(page_key)  # another instance may have rendered it afresh
    else:
        entry = found.get(page_key)
    if entry is None or entry.generations != generations:
        return generations, None
    _local_entries.put(page_key, entry)
    return generations, entry


class _LocalEntries:
    """The most recently used entries, kept in this process up to a number of bytes.

    Only a copy: an entry is used only while its generations are still the
    current ones in the shared cache, which is asked on every request.
    """

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
        size = len(entry.content)
        if size > budget // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.content)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > budget:
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.content)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_local_entries = _LocalEntries()


# Keys -------------------------------------------------------------------------

@functools.cache
def release() -> str:
    """A fingerprint of the code, templates, catalogues and static manifest.

    Part of every key, so a new release never serves pages rendered by the old
    one (both may share the cache during a rolling deploy).
    """
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    suffixes = {".py", ".html", ".txt", ".mo"}
    for folder in ("agenda", "registration", "forum_site", "templates", "locale"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in suffixes and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if settings.STATIC_ROOT and manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=2048)
def _route(language: str | None, path_info: str):
    """The cache policy and URL arguments of ``path_info``, or None if not cacheable."""
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            match = resolve(path_info)
    except Resolver404:
        return None
    policy = getattr(match.func, "page_cache", None)
    if policy is None:
        return None
    return policy, dict(match.kwargs)


def _known_value(name, value, policy=None) -> bool:
    if value == "":
        return True
    if policy is not None and name in policy.filters:
        return len(value) <= _MAX_FILTER_VALUE
    if name in ("tz", "tz_cookie"):
        return timezones.is_valid_zone(value)
    if name == "lang":
        return value in dict(settings.LANGUAGES)
    return False


def _cacheable_query(request, policy) -> bool:
    """Whether the query string (and zone cookie) are ones worth an entry of their own.

    Only the policy's parameters, once each, with values that exist (a real
    zone, a site language): garbage is answered fresh, never stored, so it
    cannot fill the cache with one copy of a page per made-up value.
    """
    for name, values in request.GET.lists():
        if name not in policy.params or len(values) != 1:
            return False
        if name in policy.search and values[0].strip():
            return False
        if not _known_value(name, values[0], policy):
            return False
    if policy.vary_on_zone and "tz" not in request.GET:
        return _known_value("tz_cookie", request.COOKIES.get("tz", "").strip())
    return True


def _is_personal(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


# The host in a page's key -------------------------------------------------------

def page_key_host(request) -> str | None:
    """The host a page is cached under: one of a few configured names, never the raw header.

    The Host header is the client's to choose: with its port (any of 65,535)
    or its case in the key, a scanner made the cache store one copy of each
    page per variation. The key takes the configured name instead: SITE_URL's
    host for its domain, a literal ALLOWED_HOSTS entry for another, always
    without a port (nginx's ``$host`` sends none in production). A host only
    a wildcard entry (".example.org") allows gets None: served, never stored.
    Raises DisallowedHost for a host ALLOWED_HOSTS refuses.
    """
    domain, _port = split_domain_port(request.get_host())
    site_domain, _site_port = split_domain_port(urlsplit(settings.SITE_URL).netloc)
    if domain == site_domain.lower():
        return site_domain.lower()
    literal = {entry.lower() for entry in settings.ALLOWED_HOSTS
               if entry != "*" and not entry.startswith(".")}
    return domain if domain in literal else None


# The middleware ---------------------------------------------------------------

@dataclass
class _Entry:
    """A stored response and the generations it was rendered under."""

    generations: tuple
    status: int
    headers: list
    content: bytes
    cookies: object
    expires_at: float | None = None  # a timestamp; see expire_at()

    def is_fresh(self) -> bool:
        return self.expires_at is None or time.time() < self.expires_at

    def timeout(self) -> int:
        """Seconds to keep the entry: the setting, or less when it expires before."""
        if self.expires_at is None:
            return settings.PAGE_CACHE_TIMEOUT
        left = int(self.expires_at - time.time()) + 1
        return max(1, min(settings.PAGE_CACHE_TIMEOUT, left))


class PageCacheMiddleware:
    """Answers cacheable anonymous GETs from the shared cache; stores what it renders."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_ENABLED:
            return self.get_response(request)
        path_language = translation.get_language_from_path(request.path_info)
        route = _route(path_language, request.path_info)
        if route is None:
            return self.get_response(request)
        policy, kwargs = route
        if _is_personal(request):
            return self._bypass(request)
        if not _cacheable_query(request, policy):
            return self._bypass(request, personal=False)
        try:
            host = page_key_host(request)
        except Exception:  # DisallowedHost: let Django answer it as usual
            return self.get_response(request)
        if host is None:  # a host matched only by a wildcard: not worth a cache entry
            return self._bypass(request, personal=False)

        scope_keys = [_generation_key(SITE)]
        if policy.scope == EVENT:
            scope_keys = [_generation_key(event_scope(kwargs.get("event", "")))]
        parts = [
            release(),
            request.scheme,
            host,
            request.path,
            request.META.get("QUERY_STRING", ""),
            timezone.now().date().isoformat(),  # the events list sorts by today
        ]
        if path_language is None:  # feeds: the language comes from the request
            parts.append(translation.get_language_from_request(request, check_path=False))
        if policy.vary_on_zone and "tz" not in request.GET:
            parts.append(request.COOKIES.get("tz", "").strip())
        page_key = KEY_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()

        try:
            generations, entry = _lookup(scope_keys, page_key)
        except Exception:  # the cache is down: serve fresh pages rather than errors
            logger.warning("page cache unavailable; serving %s uncached", request.path,
                           exc_info=True)
            request.page_cache_status = "bypass"
            response = self.get_response(request)
            response[STATUS_HEADER] = "bypass"
            return response
        if entry is not None and entry.generations == generations and entry.is_fresh():
            request.page_cache_status = "hit"
            return self._answer(request, self._replay(entry))

        request.page_cache_status = "miss"
        response = self._render_fresh(request)
        entry = self._entry(request, response, policy, generations)
        response[STATUS_HEADER] = "miss"
        if entry is None:
            return response
        try:
            cache.set(page_key, entry, timeout=entry.timeout())
        except Exception:  # not stored this time; the page itself is fine
            logger.warning("page cache unavailable; %s not stored", request.path, exc_info=True)
            return self._answer(request, response)
        _local_entries.put(page_key, entry)
        return self._answer(request, response)

    def _bypass(self, request, *, personal=True):
        request.page_cache_status = "bypass"
        response = self.get_response(request)
        if personal:
            # Rendered for a signed-in organiser: no shared cache may keep it.
            patch_cache_control(response, private=True, no_cache=True)
        response[STATUS_HEADER] = "bypass"
        return response

    def _render_fresh(self, request):
        saved = {name: request.META.pop(name) for name in _CONDITIONAL_HEADERS
                 if name in request.META}
        try:
            return self.get_response(request)
        finally:
            request.META.update(saved)

    @staticmethod
    def _entry(request, response, policy, generations):
        """What to store of ``response``, or None when it must not be shared."""
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return None
        if request.META.get("CSRF_COOKIE_USED"):
            return None  # the page embeds a CSRF token tied to this visitor
        if any(name != "tz" for name in response.cookies):
            return None
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store", "no-cache")):
            return None
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        if not vary <= _VARY_ALLOWED:
            return None
        if not response.has_header("ETag"):
            fingerprint = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response["ETag"] = f'"{fingerprint}"'
        if not response.has_header("Last-Modified"):
            response["Last-Modified"] = http_date(_last_modified(generations))
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True,
                                max_age=settings.PAGE_CACHE_BROWSER_MAX_AGE)
        if policy.vary_on_zone:
            patch_vary_headers(response, ("Cookie",))  # the tz cookie
        headers = [(name, value) for name, value in response.items()
                   if name.lower() != STATUS_HEADER.lower()]
        expires = getattr(response, "page_cache_expires_at", None)
        return _Entry(
            generations=generations,
            status=response.status_code,
            headers=headers,
            content=response.content,
            cookies=response.cookies,
            expires_at=expires.timestamp() if expires is not None else None,
        )

    @staticmethod
    def _replay(entry):
        response = HttpResponse(entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        response.cookies = entry.cookies
        response[STATUS_HEADER] = "hit"
        return response

    @staticmethod
    def _answer(request, response):
        """``response``, or 304/412 when the request's conditions say so."""
        if not any(name in request.META for name in _CONDITIONAL_HEADERS):
            return response
        answer = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(response["Last-Modified"]),
            response=response,
        )
        answer[STATUS_HEADER] = response[STATUS_HEADER]
        return answer


@receiver(setting_changed)
def _forget_routes(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        _route.cache_clear()


# The cache backend -------------------------------------------------------------

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


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with its client reused (see above)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient
