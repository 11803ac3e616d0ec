"""Small middleware for production: request ids and access lines, headers, client IP."""

import functools
import ipaddress
import logging
import re
import time
import uuid
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseNotAllowed
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware

from forum_site.errors import error_page
from forum_site.logging import redact, request_id_var

access_log = logging.getLogger("forum_site.access")

# An id given by a proxy or load balancer is kept if it looks like one; anything
# else (too long, odd characters that could forge log lines) gets a fresh id.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
REQUEST_ID_HEADER = "X-Request-ID"


def _request_id(request) -> str:
    # META, not request.headers: that builds a dict of every header on first use.
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if _VALID_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Gives each request an id and writes one access line when it is answered.

    The id comes from ``X-Request-ID`` when a proxy set one (so a request can be
    followed from nginx to Django), else it is new. It is sent back in the same
    header, and every log line written while the request is served carries it.
    The access line holds the method, the path (secrets of private links cut
    out, no query string), the status and the duration in milliseconds: no
    address, name or email of anyone.

    A static file that WhiteNoise served (any status below 400 under
    STATIC_URL) is logged at DEBUG, which the access logger's INFO level
    drops without building the line: a page brings several of them, they
    are immutable hashed files, nginx or the CDN in front logs them already,
    and formatting a JSON line would cost a static request more than serving
    it. A missing static file (404) is logged like any request. A page
    answered from the page cache (``page_cache_status`` "hit") is logged at
    DEBUG too unless ACCESS_LOG_CACHE_HITS is on, for the same reasons: it
    runs no code of the site's that a line could help follow, nginx logs it
    with its X-Page-Cache header (docs/deployment.md), and the line was about
    a seventh of a hit's cost (docs/performance.md).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = _static_prefix()

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = _request_id(request)
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            level = logging.INFO
            if response.status_code < 400 and (
                    request.path_info.startswith(self.static_prefix)
                    or (getattr(request, "page_cache_status", None) == "hit"
                        and not settings.ACCESS_LOG_CACHE_HITS)):
                level = logging.DEBUG
            if not access_log.isEnabledFor(level):
                return response
            path = redact(request.path)
            access_log.log(
                level,
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,  # redacted here too: handlers other than ours see it
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "cache": getattr(request, "page_cache_status", None) or "-",
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _static_prefix() -> str:
    """The path static files are served under (WhiteNoise's), e.g. ``/static/``."""
    path = urlsplit(settings.STATIC_URL or "/static/").path
    return "/" + path.strip("/") + "/"


class RequestBodyLimitMiddleware:
    """413 for a request whose body is over the limit, before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out file parts of multipart
    bodies, so a 10 MB "file" on the sign-up form went through. No public form
    here takes a file: every body counts, whatever its content type. The
    limit is REQUEST_BODY_MAX_BYTES (default: DATA_UPLOAD_MAX_MEMORY_SIZE);
    under the admin, ADMIN_REQUEST_BODY_MAX_BYTES, for organisers' programme
    files. Django reads no more than Content-Length, so checking it is enough
    (a chunked body without one is read as empty); nginx's
    ``client_max_body_size`` refuses larger bodies before they reach gunicorn.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _body_length(request) > _body_limit(request):
            # Before LocaleMiddleware: the page's language comes from its path.
            language = translation.get_language_from_path(request.path_info)
            with translation.override(language or settings.LANGUAGE_CODE):
                return error_page(request, 413)
        return self.get_response(request)


def _body_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads such a body as empty


def _body_limit(request) -> int:
    limit = getattr(settings, "REQUEST_BODY_MAX_BYTES", None)
    if limit is None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.path_info.startswith("/" + settings.ADMIN_URL):
        limit = getattr(settings, "ADMIN_REQUEST_BODY_MAX_BYTES", limit)
    return limit


class AllowedMethodsMiddleware:
    """405 with ``Allow`` for any method the site does not take, as a page that says so.

    Each public view declares its methods (``require_safe``,
    ``require_http_methods``; cacheable pages through forum_site/pagecache), but
    views that do not (the admin's) answered PUT, DELETE, PATCH, TRACE or
    OPTIONS with a full page. No view here takes anything but GET, HEAD and
    POST: any other method is refused before the view (and CSRF) runs. The
    ``Allow`` header is the view's own answer to OPTIONS, which every view
    here gives without side effects, narrowed to those three. Every 405 gets
    the error page in the visitor's language.
    """

    TAKEN = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "content", b""):
            page = error_page(request, 405)
            page["Allow"] = ", ".join(self._narrowed(response.get("Allow", "")))
            return page
        return response

    def _narrowed(self, allow):
        """The methods of an ``Allow`` value that the site takes at all (all three if none)."""
        offered = {method.strip().upper() for method in allow.split(",")}
        return [method for method in self.TAKEN if method in offered] or list(self.TAKEN)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in self.TAKEN:
            return None
        return HttpResponseNotAllowed(self._allowed(request, view_func, view_args, view_kwargs))

    def _allowed(self, request, view_func, view_args, view_kwargs):
        asked, request.method = request.method, "OPTIONS"
        try:
            allow = view_func(request, *view_args, **view_kwargs).get("Allow", "")
        except Exception:  # e.g. a 404 for a missing object: say what the site takes
            allow = ""
        finally:
            request.method = asked
        return self._narrowed(allow)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, without the manifest of hashed names (``staticfiles.json``).

    The manifest is collectstatic's bookkeeping, read by the storage from
    disk; served, it listed every static file and its hash to anyone (a map
    of the site's code and its exact version).
    """

    MANIFEST_NAME = "staticfiles.json"

    def add_file_to_dictionary(self, url, path, stat_cache=None):
        if url == self.static_prefix + self.MANIFEST_NAME:
            return
        super().add_file_to_dictionary(url, path, stat_cache=stat_cache)

    def candidate_paths_for_url(self, url):  # WHITENOISE_AUTOREFRESH (a laptop)
        if url == self.static_prefix + self.MANIFEST_NAME:
            return
        yield from super().candidate_paths_for_url(url)


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) on every response.

    The site uses no camera, microphone, location or payment API, so every
    powerful feature is switched off, for this page and for anything it embeds.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in policy.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class ClientIPMiddleware:
    """Takes the client's address from a header set by the trusted proxy in front.

    Behind nginx every request comes from nginx's address, so rate limits and
    the admin's login throttling would count all visitors as one. With
    ``CLIENT_IP_HEADER = "X-Real-IP"`` (nginx: ``proxy_set_header X-Real-IP
    $remote_addr;``, which overwrites whatever the client sent) REMOTE_ADDR
    becomes the visitor's address. Leave the setting empty when the app server
    is reachable without the proxy: the header could then be forged.

    The value must be one IP address (of a list, the last one: the address
    the nearest proxy added). Anything else (missing, ``not-an-ip``, an
    address with a zone) leaves REMOTE_ADDR as it is: a forged value must not
    reach the database (PostgreSQL's ``inet`` refuses it) nor give a client a
    fresh identity for each request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        header = getattr(settings, "CLIENT_IP_HEADER", "")
        self.meta_key = "HTTP_" + header.upper().replace("-", "_") if header else ""

    def __call__(self, request):
        if self.meta_key:
            address = parse_client_ip(request.META.get(self.meta_key, ""))
            if address:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


def parse_client_ip(value: str) -> str:
    """The IP address in a proxy header's value, normalised, or "" if there is none."""
    candidate = value.rsplit(",", 1)[-1].strip()
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return ""
    if getattr(address, "scope_id", None):  # fe80::1%eth0: no use, and no inet either
        return ""
    return str(address)


def client_address(request) -> str:
    """REMOTE_ADDR, as ClientIPMiddleware left it: the address django-axes counts by.

    Named in AXES_CLIENT_IP_CALLABLE so that axes never reads a forwarding
    header of its own accord.
    """
    return request.META.get("REMOTE_ADDR", "")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site-wide header built once, not per response.

    The policy (settings.CONTENT_SECURITY_POLICY) is the same for every page
    that uses neither a nonce nor django-csp's per-view decorators; building
    it anew took longer than serving a cached page. Anything else goes through
    django-csp unchanged.
    """

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
                     "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro")

    def process_response(self, request, response):
        if (
            (settings.DEBUG and response.status_code in (404, 500))  # Django's debug pages
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self._PER_RESPONSE)
            or HEADER in response
            or HEADER_REPORT_ONLY in response
        ):
            return super().process_response(request, response)
        headers = _site_csp_headers()
        if headers is None:  # EXCLUDE_URL_PREFIXES and friends: let django-csp decide
            return super().process_response(request, response)
        for name, value in headers:
            response[name] = value
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@functools.cache
def _site_csp_headers():
    """The (header, value) pairs of the site-wide policy, or None if it needs a request."""
    headers = []
    for setting, header, report_only in (
        ("CONTENT_SECURITY_POLICY", HEADER, False),
        ("CONTENT_SECURITY_POLICY_REPORT_ONLY", HEADER_REPORT_ONLY, True),
    ):
        policy = getattr(settings, setting, None) or {}
        if policy.get("EXCLUDE_URL_PREFIXES"):
            return None
        value = build_policy(report_only=report_only)
        if value:
            headers.append((header, value))
    return tuple(headers)


@receiver(setting_changed)
def _forget_csp(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_csp_headers.cache_clear()
