"""What search engines read: schema.org JSON-LD for events and sessions, fed by the views.

Events and sessions are described as schema.org ``Event`` objects in the
page's language: start and end carry the event's reference zone offset
(``2022-03-09T20:00:00-05:00``), an online event has a ``VirtualLocation``, an
in-person one a ``Place``, and the organisers are ``Organization`` objects.
Nothing here reads the database: the view passes what its page already
loaded, and where the event stands (``agenda/event_life.py``) decides the
rest. An ``offers`` entry (free sign-up) is given only while the event takes
sign-ups or is about to (with ``validFrom``); a past event, or one whose
registration is closed or paused, has none. ``eventStatus`` is
``EventCancelled`` for a cancelled session and ``EventScheduled`` otherwise,
also once an event took place: schema.org has no "completed" status.

The JSON goes inside a ``<script>`` element, so it is escaped the way Django's
``json_script`` escapes it: ``<``, ``>`` and ``&`` become ``\\u003C``,
``\\u003E`` and ``\\u0026``, and no text from the database can close the
element early.
"""

import json

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from agenda import event_life

SCHEMA = "https://schema.org"
ATTENDANCE_MODES = {
    "online": f"{SCHEMA}/OnlineEventAttendanceMode",
    "in_person": f"{SCHEMA}/OfflineEventAttendanceMode",
    "hybrid": f"{SCHEMA}/MixedEventAttendanceMode",
}
ORGANISER_ROLES = ("organiser", "co_organiser")
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data) -> str:
    """``<script type="application/ld+json">`` holding ``data``, safe to print in HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def _local(moment, event) -> str:
    return moment.astimezone(event.reference_zone).isoformat()


def _location(event, request, livestream_url=""):
    if event.format == "in_person":
        return {"@type": "Place", "name": event.venue, "address": event.venue}
    virtual = {
        "@type": "VirtualLocation",
        "url": livestream_url or request.build_absolute_uri(event.get_absolute_url()),
    }
    if event.format == "hybrid" and event.venue:
        return [virtual, {"@type": "Place", "name": event.venue, "address": event.venue}]
    return virtual


def _organisers(organisation_links):
    """``Organization`` objects of the organisers and co-organisers, in the organisers' order."""
    organisers = []
    for link in organisation_links:
        if link.role not in ORGANISER_ROLES:
            continue
        organisation = {"@type": "Organization", "name": link.organisation.name}
        if link.organisation.website:
            organisation["url"] = link.organisation.website
        organisers.append(organisation)
    return organisers


def _period(life):
    """(start, end) of the event: its sessions' times, else its days' dates, else (None, None)."""
    if life.sessions:
        event = life.event
        return (_local(min(s.start for s in life.sessions), event),
                _local(max(s.end for s in life.sessions), event))
    if life.spans:
        return life.first_date.isoformat(), life.last_date.isoformat()
    return None, None


def offer(life, request) -> dict | None:
    """The free sign-up as a schema.org ``Offer``, or None when none can be had."""
    if life.registration not in (event_life.OPEN, event_life.NOT_YET_OPEN):
        return None
    event = life.event
    try:
        url = reverse("registration:register", kwargs={"event": event.slug})
    except NoReverseMatch:  # a site without the registration app
        return None
    data = {
        "@type": "Offer",
        "url": request.build_absolute_uri(url),
        "price": "0",
        "availability": f"{SCHEMA}/InStock",
    }
    if event.registration_opens_at:
        data["validFrom"] = _local(event.registration_opens_at, event)
    if event.registration_closes_at:
        data["validThrough"] = _local(event.registration_closes_at, event)
    return data


def _common(life, request, organisation_links, *, livestream_url=""):
    event = life.event
    data = {
        "eventAttendanceMode": ATTENDANCE_MODES.get(event.format, ATTENDANCE_MODES["online"]),
        "location": _location(event, request, livestream_url),
    }
    organisers = _organisers(organisation_links)
    if organisers:
        data["organizer"] = organisers
    if event.language_codes:
        data["inLanguage"] = event.language_codes
    sign_up = offer(life, request)
    if sign_up is not None:
        data["offers"] = sign_up
    return data


def event_data(life, request, organisation_links) -> dict:
    """The schema.org Event for an event, in the current language."""
    event = life.event
    start, end = _period(life)
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": event.name,
        "description": event.tagline or event.name,
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "eventStatus": f"{SCHEMA}/EventScheduled",
    }
    if start:
        data["startDate"] = start
        data["endDate"] = end
    data.update(_common(life, request, organisation_links,
                        livestream_url=event.livestream_url))
    return data


def session_data(session, life, request, organisation_links) -> dict:
    """The schema.org Event for one session, part of its event, in the current language."""
    event = life.event
    data = {
        "@context": SCHEMA,
        "@type": "Event",
        "name": session.title,
        "description": session.description or session.title,
        "url": request.build_absolute_uri(session.get_absolute_url()),
        "startDate": _local(session.start, event),
        "endDate": _local(session.end, event),
        "eventStatus": f"{SCHEMA}/EventCancelled" if session.is_cancelled
        else f"{SCHEMA}/EventScheduled",
    }
    data.update(_common(life, request, organisation_links,
                        livestream_url=session.effective_livestream_url))
    performers = [
        {"@type": "Person", "name": role.speaker.name}
        for role in session.session_speakers.all()
    ]
    if performers:
        data["performer"] = performers
    data["superEvent"] = {
        "@type": "Event",
        "name": event.name,
        "url": request.build_absolute_uri(event.get_absolute_url()),
    }
    return data
