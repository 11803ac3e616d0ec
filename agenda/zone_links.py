"""The links of the full zone picker: to it, within it, and back with a zone.

The picker (``/zones/``, ``/zones/<region>/``) comes back to the event page
the visitor came from (``?next=``), which it checks is one of this event's
pages, never another site (no open redirect).
"""

from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme


def without_zone(request) -> str:
    """The current page's path and query, minus ``tz``: where a newly picked zone goes."""
    return _join(request.path, [(name, value) for name, values in request.GET.lists()
                                for value in values])


def _join(path: str, query: list[tuple[str, str]]) -> str:
    """``path?query``, any ``tz`` left out of ``query``."""
    query = [(name, value) for name, value in query if name != "tz"]
    return path + (f"?{urlencode(query)}" if query else "")


def picker_url(event, back: str) -> str:
    """The full picker of ``event``, coming back to ``back`` once a zone is picked."""
    return reverse("agenda:zones", args=[event.slug]) + next_query(event, back)


def next_query(event, back: str) -> str:
    """``?next=<back>`` for the picker's links, or nothing when ``back`` is the agenda."""
    # Coming back to the agenda needs no ?next=: the address stays the one
    # the page cache keeps (an unknown query parameter skips the cache).
    if back == reverse("agenda:agenda", args=[event.slug]):
        return ""
    return "?" + urlencode({"next": back})


def with_zone(path: str, zone: str) -> str:
    """``path`` (which may have a query of its own) with ``tz=<zone>`` in its query."""
    parts = urlsplit(path)
    back = _join(parts.path, parse_qsl(parts.query, keep_blank_values=True))
    return back + ("&" if "?" in back else "?") + urlencode({"tz": zone})


def return_path(request, event) -> str:
    """``?next=`` if it is one of this event's pages, in the page's language; else its agenda.

    Only a local path is followed (never ``//host``, ``https://…`` or
    ``javascript:``), and only to one of the event's pages other than the
    picker itself: the picker is no open redirect, and a city always leads
    somewhere that shows times.
    """
    agenda_path = reverse("agenda:agenda", args=[event.slug])
    raw = request.GET.get("next", "")
    if (not raw.startswith("/") or raw.startswith(("//", "/\\")) or len(raw) > 2000
            or not raw.isprintable() or not url_has_allowed_host_and_scheme(raw, None)):
        return agenda_path
    parts = urlsplit(raw)
    language = translation.get_language_from_path(parts.path)
    if language is None:
        return agenda_path
    try:
        with translation.override(language):
            match = resolve(parts.path)
    except Resolver404:
        return agenda_path
    if (match.namespace != "agenda" or match.kwargs.get("event") != event.slug
            or match.url_name in ("zones", "zone_region")):
        return agenda_path
    path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)  # the page's language
    return _join(path, parse_qsl(parts.query, keep_blank_values=True))
