"""What the page cache keeps, and under which key.

A view is cacheable when its URL resolves to a wrapper made by
:func:`public_page` (pages) or :func:`public_feed` (feeds): the wrapper
carries a :class:`Policy`, which the middleware reads before the view runs.
One entry per address (path and query), host and scheme, language (the URL
prefix, or for feeds the negotiated language), the values of the page's
:class:`Choice` (``?tz=``, or the ``tz`` cookie that remembers it) and
release of the code. Unknown query parameters and values no choice accepts
skip the cache, so random ``?x=…`` or ``?tz=…`` cannot fill it.

The cache names no app: an app says what its pages depend on through the
choices it passes (the viewer's zone of the programme pages, for one).
"""

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

KEY_PREFIX = "pagecache:"
#: Scopes: SITE pages change with any event (the events list); EVENT pages
#: with the event the URL's ``event`` argument names.
SITE = "site"
EVENT = "event"
#: Response header saying how the cache answered: hit, miss or bypass.
STATUS_HEADER = "X-Page-Cache"


@dataclass(frozen=True)
class Choice:
    """A query parameter a page depends on, and which of its values are worth an entry.

    With ``cookie``, a cookie of the same name remembers the choice: without
    the parameter, the cookie's value is part of the key (and of ``Vary``).
    """

    name: str
    is_valid: Callable[[str], bool]
    cookie: bool = False


def _is_site_language(value: str) -> bool:
    return value in dict(settings.LANGUAGES)


#: ``?lang=`` of the feeds: one of the site's languages.
LANGUAGE = Choice("lang", _is_site_language)


@dataclass(frozen=True)
class Policy:
    """How a view's responses are cached."""

    scope: str  # EVENT or SITE
    choices: tuple[Choice, ...]  # the query parameters that may appear (others skip the cache)

    @functools.cached_property
    def by_name(self) -> dict[str, Choice]:
        return {choice.name: choice for choice in self.choices}

    @property
    def remembered(self) -> tuple[Choice, ...]:
        """The choices a cookie remembers."""
        return tuple(choice for choice in self.choices if choice.cookie)


def public_page(view=None, *, scope=EVENT, choices=()):
    """Cache a public page for anonymous visitors; ``choices``: what else it depends on."""
    if view is None:
        return functools.partial(public_page, scope=scope, choices=choices)
    return _with_policy(view, Policy(scope=scope, choices=tuple(choices)))


def public_feed(view):
    """Cache a machine-readable feed of an event (.ics, schedule.json), per ``?lang=``."""
    return _with_policy(view, Policy(scope=EVENT, choices=(LANGUAGE,)))


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


# Which requests are cacheable ------------------------------------------------------

@functools.lru_cache(maxsize=2048)
def route(language: str | None, path_info: str):
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


@receiver(setting_changed)
def _forget_routes(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE"):
        route.cache_clear()


def cacheable_query(request, policy) -> bool:
    """Whether the query string (and remembered cookies) are ones worth an entry of their own.

    Only the policy's parameters, once each, with values that exist (a real
    zone, a site language): garbage is answered fresh, never stored, so it
    cannot fill the cache with one copy of a page per made-up value.
    """
    for name, values in request.GET.lists():
        choice = policy.by_name.get(name)
        if choice is None or len(values) != 1 or not _accepts(choice, values[0]):
            return False
    return all(_accepts(choice, request.COOKIES.get(choice.name, "").strip())
               for choice in policy.remembered if choice.name not in request.GET)


def _accepts(choice, value) -> bool:
    return value == "" or choice.is_valid(value)


def is_personal(request) -> bool:
    """Whether the request carries a session or messages cookie (an organiser, a flash message)."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


# Keys -------------------------------------------------------------------------------

def page_key(request, policy, host, path_language) -> str:
    """The key of the entry that answers ``request``."""
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
    parts += [request.COOKIES.get(choice.name, "").strip()
              for choice in policy.remembered if choice.name not in request.GET]
    return KEY_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


@functools.cache
def release() -> str:
    """A fingerprint of the code, templates, catalogues and static manifest.

    Part of every key, so a new release never serves pages rendered by the old
    one (both may share the cache during a rolling deploy). The code is the
    project package and every installed app that lives in the project (not
    the libraries); templates and catalogues come from the settings.
    """
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR).resolve()
    for folder in _source_folders(base):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".mo"} and path.is_file() \
                    and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or "") / "staticfiles.json"
    if settings.STATIC_ROOT and manifest.is_file():
        digest.update(manifest.read_bytes())
    return digest.hexdigest()[:16]


def _source_folders(base: Path) -> list[Path]:
    folders = {Path(__file__).resolve().parent.parent}  # the project package
    folders |= {Path(app.path).resolve() for app in apps.get_app_configs()}
    for engine in settings.TEMPLATES:
        folders |= {Path(folder).resolve() for folder in engine.get("DIRS", ())}
    folders |= {Path(folder).resolve() for folder in settings.LOCALE_PATHS}
    # Only what lives in the project: an app from site-packages changes with
    # its version, not with a release of the site.
    return sorted(folder for folder in folders
                  if folder.is_relative_to(base) and "site-packages" not in folder.parts)


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
