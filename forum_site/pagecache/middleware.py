"""PageCacheMiddleware: anonymous GETs of public pages answered from the shared cache.

Never personal
    A request that carries a session or messages cookie (a signed-in organiser,
    someone with a flash message) is neither served from the cache nor stored:
    organisers see fresh pages. A response is stored only if it is a plain 200
    that embeds no CSRF token, sets no cookie other than the ones its policy's
    choices remember, and does not say ``private`` or ``no-store``. Views not
    wrapped by ``public_page`` or ``public_feed`` (sign-up forms, private
    links, the admin) are never looked at.

Never stale
    An entry is used only while the generations it was rendered under are the
    current ones (forum_site/pagecache/generations.py), and only until the
    moment its view gave :func:`~forum_site.pagecache.policy.expire_at` (a
    page saying where an event stands is kept until the event's next boundary,
    so the clock alone moves it on).

Fast
    A hit costs no round trip to the cache when this process holds the entry
    (forum_site/pagecache/local.py) and remembers its generations
    (forum_site/pagecache/watch.py), else one, and none of the work below the middleware,
    which sits near the top of MIDDLEWARE. Entries carry an ETag and
    Last-Modified; conditional requests get 304.

Compressed once
    A stored entry holds the page as rendered and its brotli and gzip copies
    (forum_site/pagecache/encoding.py), each with its own Content-Length and
    ETag; every response says ``Vary: Accept-Encoding``. A hit sends the copy
    the client's Accept-Encoding asks for, as stored: nothing is compressed
    per request.

When the cache is down
    Pages are served fresh (``X-Page-Cache: bypass``) and a warning is
    logged. Saving a change to the programme fails instead: without a new
    generation, copies in a cache that comes back would be stale.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from forum_site.pagecache import encoding
from forum_site.pagecache import generations as gens
from forum_site.pagecache import policy as policies
from forum_site.pagecache.local import local_entries
from forum_site.pagecache.policy import STATUS_HEADER

logger = logging.getLogger(__name__)

# Conditional headers are kept from the view on a miss, so that the stored
# entry is always the full 200 (the view's own ETag included).
_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                        "HTTP_IF_UNMODIFIED_SINCE")
_VARY_ALLOWED = frozenset({"cookie", "accept-language", "accept-encoding"})
# Headers that differ between the copies of an entry, set per copy.
_PER_VARIANT = frozenset({STATUS_HEADER.lower(), "content-length", "etag"})


def _variant_headers(headers, etag, content, coding=encoding.IDENTITY):
    """``headers`` of the entry, with the length, coding and ETag of one copy."""
    headers = dict(headers)
    headers["ETag"] = encoding.variant_etag(etag, coding)
    headers["Content-Length"] = str(len(content))
    if coding != encoding.IDENTITY:
        headers["Content-Encoding"] = coding
    return headers


@dataclass
class Entry:
    """A stored response, in each coding, and the generations it was rendered under."""

    generations: tuple
    status: int
    variants: dict  # coding ("identity", "br", "gzip") -> (content, headers)
    cookies: object
    expires_at: float | None = None  # a timestamp; see expire_at()

    @property
    def size(self) -> int:
        return sum(len(content) for content, _headers in self.variants.values())

    def is_fresh(self) -> bool:
        return self.expires_at is None or time.time() < self.expires_at

    def timeout(self) -> int:
        """Seconds to keep the entry: the setting, or less when it expires before."""
        if self.expires_at is None:
            return settings.PAGE_CACHE_TIMEOUT
        left = int(self.expires_at - time.time()) + 1
        return max(1, min(settings.PAGE_CACHE_TIMEOUT, left))


def _lookup(scope_keys, page_key):
    """The current generations of ``scope_keys`` and the valid entry at ``page_key``, if any.

    When this process holds the page already, no round trip to the shared
    cache while it remembers the generations (forum_site/pagecache/watch.py),
    else one for the small generation tokens; when it does not, one or two
    for the entry and the tokens.
    """
    local = local_entries.get(page_key)
    found = gens.read(scope_keys, () if local is not None else (page_key,))
    generations = gens.current(found, scope_keys)
    if local is not None:
        if local.generations == generations:
            return generations, local
        entry = cache.get(page_key)  # another instance may have rendered it afresh
    else:
        entry = found.get(page_key)
    if entry is None or entry.generations != generations:
        return generations, None
    local_entries.put(page_key, entry)
    return generations, entry


class PageCacheMiddleware:
    """Answers cacheable anonymous GETs from the shared cache; stores what it renders."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_ENABLED:
            return self.get_response(request)
        path_language = translation.get_language_from_path(request.path_info)
        route = policies.route(path_language, request.path_info)
        if route is None:
            return self.get_response(request)
        policy, kwargs = route
        if policies.is_personal(request):
            return self._bypass(request)
        if not policies.cacheable_query(request, policy):
            return self._bypass(request, personal=False)
        try:
            host = policies.page_key_host(request)
        except Exception:  # DisallowedHost: let Django answer it as usual
            return self.get_response(request)
        if host is None:  # a host matched only by a wildcard: not worth a cache entry
            return self._bypass(request, personal=False)

        scope_keys = gens.scope_keys(policy, kwargs)
        page_key = policies.page_key(request, policy, host, path_language)
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
            return self._answer(request, self._replay(request, entry, "hit"))

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
        else:
            local_entries.put(page_key, entry)
        # The miss is answered like the hits that follow it, from the entry.
        answer = self._replay(request, entry, "miss")
        return self._answer(request, answer)

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
        remembered = {choice.name for choice in policy.remembered}
        if any(name not in remembered for name in response.cookies):
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
            response["Last-Modified"] = http_date(gens.last_modified(generations))
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, public=True,
                                max_age=settings.PAGE_CACHE_BROWSER_MAX_AGE)
        if remembered:
            patch_vary_headers(response, ("Cookie",))  # e.g. the viewer's zone
        content = response.content
        copies = {}
        if not response.has_header("Content-Encoding"):
            copies = encoding.compressed(content, response.get("Content-Type", ""))
        if copies:
            patch_vary_headers(response, ("Accept-Encoding",))
        headers = [(name, value) for name, value in response.items()
                   if name.lower() not in _PER_VARIANT]
        etag = response["ETag"]
        variants = {encoding.IDENTITY: (content, _variant_headers(headers, etag, content))}
        for coding, data in copies.items():
            variants[coding] = (data, _variant_headers(headers, etag, data, coding))
        expires = getattr(response, "page_cache_expires_at", None)
        return Entry(
            generations=generations,
            status=response.status_code,
            variants=variants,
            cookies=response.cookies,
            expires_at=expires.timestamp() if expires is not None else None,
        )

    @staticmethod
    def _replay(request, entry, status):
        coding = encoding.IDENTITY
        if len(entry.variants) > 1:
            coding = encoding.choose(request.META.get("HTTP_ACCEPT_ENCODING", ""),
                                     entry.variants)
        content, headers = entry.variants[coding]
        response = HttpResponse(content, status=entry.status, headers=headers)
        response.cookies = entry.cookies
        response[STATUS_HEADER] = status
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
