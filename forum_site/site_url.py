"""The site's own address, for links that leave the page: emails, calendars, feeds.

``SITE_URL`` when it is set (production must set it: the public address).
Without it (a laptop), the address the current request came to, so a site
served on 127.0.0.1:8000 links to 127.0.0.1:8000; outside any request (a
management command) the address ``make run`` serves.
"""

import contextvars

from django.conf import settings

DEVELOPMENT_URL = "http://127.0.0.1:8000"

_current_request = contextvars.ContextVar("site_url_request", default=None)


def site_url() -> str:
    """The site's address without a trailing slash, e.g. ``https://forum.example.org``."""
    if settings.SITE_URL:
        return settings.SITE_URL
    request = _current_request.get()
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEVELOPMENT_URL


class SiteURLMiddleware:
    """Makes the request being served the one :func:`site_url` falls back to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
