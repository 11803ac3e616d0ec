"""What search engines and link previews read: schema.org JSON-LD and Open Graph.

Events and sessions are described as schema.org ``Event`` objects in the
page's language: start and end carry the event's reference zone offset
(``2022-03-09T20:00:00-05:00``), an online event has a ``VirtualLocation``, an
in-person one a ``Place``, and the organisers are ``Organization`` objects.

The JSON goes inside a ``<script>`` element, so it is escaped the way Django's
``json_script`` escapes it: ``<``, ``>`` and ``&`` become ``\\u003C``,
``\\u003E`` and ``\\u0026``, and no text from the database can close the
element early.
"""

import json

from django import template
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

SCHEMA = "https://schema.org"
ATTENDANCE_MODES = {
    "online": f"{SCHEMA}/OnlineEventAttendanceMode",
    "in_person": f"{SCHEMA}/OfflineEventAttendanceMode",
    "hybrid": f"{SCHEMA}/MixedEventAttendanceMode",
}
ORGANISER_ROLES = ("organiser", "co_organiser")
OPEN_GRAPH_LOCALES = {"en": "en_GB", "ja": "ja_JP", "vi": "vi_VN"}
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data) -> str:
    """``<script type="application/ld+json">`` holding ``data``, safe to print in HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def _local(moment, event) -> str:
    return moment.astimezone(event.reference_zone).isoformat()


def _absolute(request, path) -> str:
    return request.build_absolute_uri(path)


def _location(event, request, livestream_url=""):
    if event.format == "in_person":
        return {"@type": "Place", "name": event.venue, "address": event.venue}
    virtual = {
        "@type": "VirtualLocation",
        "url": livestream_url or _absolute(request, event.get_absolute_url()),
    }
    if event.format == "hybrid" and event.venue:
        return [virtual, {"@type": "Place", "name": event.venue, "address": event.venue}]
    return virtual


def _organisers(event):
    links = (
        event.event_organisations.filter(role__in=ORGANISER_ROLES)
        .select_related("organisation")
        .order_by("order", "id")
    )
    organisers = []
    for link in links:
        organisation = {"@type": "Organization", "name": link.organisation.name}
        if link.organisation.website:
            organisation["url"] = link.organisation.website
        organisers.append(organisation)
    return organisers


def _period(event):
    """(start, end) of the event: from its sessions' times, else from its days' dates."""
    times = event.sessions.aggregate(start=Min("start"), end=Max("end"))
    if times["start"] is not None:
        return _local(times["start"], event), _local(times["end"], event)
    dates = event.days.aggregate(start=Min("date"), end=Max("date"))
    if dates["start"] is not None:
        return dates["start"].isoformat(), dates["end"].isoformat()
    return None, None


def _common(event, request, *, livestream_url=""):
    data = {
        "eventAttendanceMode": ATTENDANCE_MODES.get(event.format, ATTENDANCE_MODES["online"]),
        "location": _location(event, request, livestream_url),
    }
    organisers = _organisers(event)
    if organisers:
        data["organizer"] = organisers
    if event.language_codes:
        data["inLanguage"] = event.language_codes
    return data


def event_data(event, request) -> dict:
    """The schema.org Event for an event, in the current language."""
    start, end = _period(event)
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": event.name,
        "description": event.tagline or event.name,
        "url": _absolute(request, event.get_absolute_url()),
        "eventStatus": f"{SCHEMA}/EventScheduled",
    }
    if start:
        data["startDate"] = start
        data["endDate"] = end
    data.update(_common(event, request, livestream_url=event.livestream_url))
    return data


def session_data(session, request) -> dict:
    """The schema.org Event for one session, part of its event, in the current language."""
    event = session.event
    url = reverse("agenda:session", kwargs={"event": event.slug, "session": session.slug})
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": session.title,
        "description": session.description or session.title,
        "url": _absolute(request, url),
        "startDate": _local(session.start, event),
        "endDate": _local(session.end, event),
        "eventStatus": f"{SCHEMA}/EventCancelled" if session.is_cancelled
        else f"{SCHEMA}/EventScheduled",
    }
    data.update(_common(event, request, livestream_url=session.effective_livestream_url))
    performers = [
        {"@type": "Person", "name": role.speaker.name}
        for role in session.session_speakers.all()
    ]
    if performers:
        data["performer"] = performers
    data["superEvent"] = {
        "@type": "Event",
        "name": event.name,
        "url": _absolute(request, event.get_absolute_url()),
    }
    return data


@register.simple_tag(takes_context=True)
def event_json_ld(context, event):
    return json_ld_script(event_data(event, context["request"]))


@register.simple_tag(takes_context=True)
def session_json_ld(context, session):
    return json_ld_script(session_data(session, context["request"]))


@register.simple_tag(takes_context=True)
def page_url(context):
    """The page's absolute address without its query string (for og:url)."""
    request = context["request"]
    return request.build_absolute_uri(request.path)


@register.simple_tag
def open_graph_locale():
    return OPEN_GRAPH_LOCALES.get(get_language(), "en_GB")


@register.simple_tag
def open_graph_alternate_locales():
    current = get_language()
    return [locale for code, locale in OPEN_GRAPH_LOCALES.items() if code != current]
