"""Error pages in the site's layout and the visitor's language, and 503 on outages.

Every page here renders without touching the database, so it still works when
the database is the thing that failed.
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("forum_site.errors")

PAGES = {
    400: (_("Bad request"), _("We could not understand that request. Please check the address "
                              "or the form and try again.")),
    403: (_("Not allowed"), _("You do not have permission to see this page.")),
    404: (_("Page not found"), _("There is no page at this address. It may have moved, or the "
                                 "address may be mistyped.")),
    405: (_("Method not allowed"), _("This address does not accept that kind of request. Open "
                                      "it in a browser, or send the form on its page.")),
    413: (_("Too much data"), _("What you sent is larger than this site accepts. Please shorten "
                                "it and try again.")),
    429: (_("Too many requests"), _("You have made too many requests in a short time. Please wait "
                                    "a few minutes and try again.")),
    500: (_("Something went wrong"), _("An error on our side stopped this page. It has been "
                                       "logged; please try again in a few minutes.")),
    503: (_("Temporarily unavailable"), _("The site cannot reach its database or cache right now. "
                                          "Nothing you sent was half-saved; please try again in a "
                                          "few minutes.")),
}


def error_page(request, status, detail=None):
    """Render the error page for ``status`` with an optional extra sentence."""
    title, message = PAGES[status]
    context = {"status": status, "title": title, "message": message, "detail": detail}
    try:
        response = render(request, "errors/error.html", context, status=status)
    except Exception:  # an error page must never fail in turn: a minimal, safe body
        logger.exception("error page %s could not be rendered", status)
        response = HttpResponse(f"{status} {title}\n", status=status,
                                content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = "120"
    return response


def bad_request(request, exception=None):
    """400, or 413 when the body was over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if isinstance(exception, RequestDataTooBig):
        return error_page(request, 413)
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403)


def page_not_found(request, exception=None):
    return error_page(request, 404)


def server_error(request):
    return error_page(request, 500)


def csrf_failure(request, reason=""):
    """403 for a form posted without a valid CSRF token: say what to do about it."""
    return error_page(
        request,
        403,
        detail=_("The form had expired or your browser blocked its cookie. Go back, reload the "
                 "page and send the form again."),
    )


class ServiceUnavailableMiddleware:
    """Turn a lost database or cache connection into a clear 503 page.

    Registration writes run in transactions, so when the connection drops
    mid-request nothing half-written remains; the visitor is told to retry.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # InterfaceError ("connection already closed") is not a DatabaseError
        # (PEP 249 makes both children of Error): named on its own.
        self.outage_errors = (DatabaseError, InterfaceError, *_cache_connection_errors())

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, self.outage_errors) and _is_outage(exception):
            logger.error("service unavailable: %s", type(exception).__name__)
            return error_page(request, 503)
        return None


def _cache_connection_errors():
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # redis is only installed where it is the cache
        return ()
    return (RedisConnectionError, RedisTimeoutError)


def _is_outage(exception):
    """A connection-level failure, not a bug such as a bad query or a broken constraint."""
    from django.db import IntegrityError, InterfaceError, OperationalError

    if isinstance(exception, IntegrityError):
        return False
    if isinstance(exception, (OperationalError, InterfaceError)):
        return True
    return not isinstance(exception, DatabaseError)
