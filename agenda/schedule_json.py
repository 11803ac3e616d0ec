"""The programme as frab/C3VOC schedule JSON (``/events/<event>/schedule.json``).

The structure follows the C3VOC schema (voc/schedule, validator/json/schema.json,
a copy with its source is in tests/data/schedule-schema.json), so schedule apps
and tools of that ecosystem (EventFahrplan, Giggity, voctosched) can read it:

- a "room" is where a session can be followed: the track or channel of a
  parallel session, else one room for the main programme (its livestream);
- ``guid`` is the session's UUID, the same identity as the calendar UID;
- ``date`` carries the offset of the event's reference zone, ``start`` is the
  local clock time and ``duration`` hh:mm, as frab and the C3VOC tools write;
- ``persons`` are the speakers, in pretalx form (``name``);
- cancelled sessions are left out, as frab and pretalx do: the JSON is a
  snapshot of what takes place, while calendar feeds keep them as CANCELLED.
"""

import math
import re
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agenda.calendars import calendar_language, clean_text, session_url
from forum_site.site_url import site_url

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = {"name": "forum-site", "version": "1"}

# The schema's acronym pattern: ^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$ —
# a hyphen is only allowed first or before a year and a word, so our slugs
# ("zccf-2022") become "zccf_2022".
_ACRONYM_MIN_LENGTH = 4
# time_zone_name must match ^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$; other names
# (Etc/GMT+5) are left out rather than make the document invalid.
_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
_EVENT_SLUG = re.compile(r"[^a-z0-9_-]+")


def acronym(event) -> str:
    """The event's slug as a C3VOC acronym: lower case, underscores, at least 4 characters."""
    text = re.sub(r"[^a-z0-9_]+", "_", event.slug.lower()).strip("_") or "event"
    return text.ljust(_ACRONYM_MIN_LENGTH, "_")


def _session_slug(session) -> str:
    # frab slugs are "<conference>-<talk>", matching ^[a-z0-9_-]+[a-z0-9]$.
    slug = _EVENT_SLUG.sub("-", f"{session.event.slug}-{session.slug}".lower())
    return slug.rstrip("_-")


def _hh_mm(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}"


def _minutes(delta) -> int:
    return int(delta.total_seconds() // 60)


def _room_key(session) -> str:
    """The untranslated room a session takes place in; "" is the main programme."""
    with translation.override(settings.LANGUAGE_CODE):
        return session.track


def _room_name(session) -> str:
    return clean_text(session.track) or _("Main programme")


def _room_guid(event, key: str) -> str:
    # Stable across languages and requests: derived from the event's page
    # address and the English track name.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{site_url()}/events/{event.slug}/#{key}"))


_EVENT_TYPES = {
    "break": "other",
    "networking": "meeting",
    "other": "other",
    "parallel": "discussion",
    "panel": "discussion",
    "workshop": "workshop",
}


def _event_type(session) -> str:
    # The vocabulary of the schema's examples (and of schema2's enum); talks,
    # keynotes, plenaries, openings and closings are all "talk".
    return _EVENT_TYPES.get(session.kind, "talk")


def _timeslot_minutes(sessions, zone) -> int:
    """The largest step that every start and duration is a multiple of."""
    step = 0
    for session in sessions:
        local = session.start.astimezone(zone)
        step = math.gcd(step, local.hour * 60 + local.minute, _minutes(session.duration))
    return math.gcd(step, 60) or 5


def _person(session_speaker) -> dict:
    speaker = session_speaker.speaker
    person = {
        "id": speaker.pk,
        "name": clean_text(speaker.name),
        "role": session_speaker.role,
    }
    position = clean_text(speaker.position)
    if position:
        person["position"] = position
    biography = clean_text(speaker.bio, multiline=True)
    if biography:
        person["biography"] = biography
    return person


def _event_json(session, language: str, room: str, languages: list[str]) -> dict:
    zone = session.event.reference_zone
    start = session.start.astimezone(zone)
    links = []
    if session.effective_livestream_url:
        links.append({"url": session.effective_livestream_url, "title": _("Livestream")})
    return {
        "id": session.pk,
        "guid": str(session.uuid),
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "duration": _hh_mm(_minutes(session.duration)),
        "room": room,
        "slug": _session_slug(session),
        "url": session_url(session, language),
        "title": clean_text(session.title),
        "subtitle": "",
        "track": str(session.get_kind_display()),
        "type": _event_type(session),
        "language": languages[0] if languages else settings.LANGUAGE_CODE,
        "abstract": clean_text(session.description, multiline=True),
        "description": "",
        "persons": [_person(link) for link in session.session_speakers.all()],
        "links": links,
        "attachments": [],
    }


def build_schedule(event, days, sessions, *, language: str, version: str) -> dict:
    """The schedule document of ``event`` in ``language``, ready for ``json.dumps``.

    ``days``: the event's Day objects in order; ``sessions``: its sessions with
    ``day`` and ``session_speakers__speaker`` preloaded, in start order.
    ``version``: changes whenever the programme does (the feed's ETag value).
    """
    language = calendar_language(language)
    zone = event.reference_zone
    sessions = [session for session in sessions if not session.is_cancelled]
    with translation.override(language):
        rooms: dict[str, str] = {}  # English key -> name in this language
        for session in sessions:
            rooms.setdefault(_room_key(session), _room_name(session))
        by_day = {day.pk: {name: [] for name in rooms.values()} for day in days}
        for session in sessions:
            room = rooms[_room_key(session)]
            by_day[session.day_id][room].append(
                _event_json(session, language, room, event.language_codes)
            )
        days_json = []
        for day in days:
            day_start, day_end = day.bounds()
            days_json.append({
                "index": day.number,
                "date": day.date.isoformat(),
                "day_start": day_start.isoformat(),
                "day_end": day_end.isoformat(),
                # Only the rooms in use that day, in the conference's order.
                "rooms": {name: events for name, events in by_day[day.pk].items() if events},
            })
        conference = {
            "acronym": acronym(event),
            "title": clean_text(event.name),
            "start": days[0].date.isoformat() if days else "",
            "end": days[-1].date.isoformat() if days else "",
            "daysCount": len(days),
            "timeslot_duration": _hh_mm(_timeslot_minutes(sessions, zone)),
            "url": site_url() + reverse("agenda:event", kwargs={"event": event.slug}),
            "rooms": [
                {"name": name, "guid": _room_guid(event, key)} for key, name in rooms.items()
            ],
            "tracks": [
                {"name": kind}
                for kind in dict.fromkeys(str(s.get_kind_display()) for s in sessions)
            ],
            "days": days_json,
        }
        tagline = clean_text(event.tagline)
        if tagline:
            conference["description"] = tagline
        if _ZONE_NAME.search(event.reference_timezone):
            conference["time_zone_name"] = event.reference_timezone
    return {
        "$schema": SCHEMA_URL,
        "generator": GENERATOR,
        "schedule": {
            "version": version,
            "base_url": site_url() + "/",
            "conference": conference,
        },
    }
