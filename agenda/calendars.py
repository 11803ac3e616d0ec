"""The one iCalendar (.ics) builder of the site.

Every calendar file comes from :func:`build_calendar`: the event, day and
session downloads in ``agenda/feeds.py``, a registrant's personal feed and the
attachments of registration emails. Keeping one builder means a session looks
the same (same UID, same SEQUENCE, same text) in every file a person imports,
so calendar clients update one entry instead of piling up duplicates.

The texts shown for a session (summary, description, location) are built here
too and reused by the "add to calendar" links in ``agenda/calendar_links.py``.
"""

import re
import zoneinfo
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agenda import labels
from forum_site.site_url import site_url

PRODID = "-//Forum site//Programme calendar//EN"

# How often subscribed clients should fetch a feed again (RFC 7986 and the
# older Microsoft/Apple extension that many clients still read instead).
REFRESH_INTERVAL = timedelta(hours=1)

# A VTIMEZONE only has to be right for the instants used in the file; one day
# of margin on each side covers clients that expand the zone around an event.
ZONE_MARGIN = timedelta(days=1)

# C0 and C1 control characters are not allowed in iCalendar TEXT (RFC 5545
# 3.3.11) and make some clients reject the whole file. Tab and line breaks are
# handled separately: tab becomes a space, line breaks are kept (escaped as \n)
# in descriptions and become spaces elsewhere.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("\r\n|\r|\n|\u2028|\u2029|\x85")
_SPACES = re.compile(r"[ \t]+")


def clean_text(text, *, multiline: bool = False) -> str:
    """``text`` without control characters, ready for an iCalendar TEXT value.

    Line breaks are normalised to ``\\n`` when ``multiline`` (descriptions), and
    folded into single spaces otherwise (summary, location, names).
    """
    text = _LINE_BREAKS.sub("\n", str(text or ""))
    text = _CONTROL_CHARACTERS.sub("", text).replace("\t", " ")
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
        # Keep paragraph breaks, but never more than one blank line in a row.
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
        return text.strip("\n")
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def calendar_language(language) -> str:
    """A language the site speaks: ``language`` if it is one, else the default."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language in codes:
        return language
    try:
        return translation.get_supported_language_variant(str(language or ""))
    except LookupError:
        return settings.LANGUAGE_CODE


def session_url(session, language: str) -> str:
    """The absolute URL of the session's public page in ``language``."""
    with translation.override(calendar_language(language)):
        path = reverse(
            "agenda:session", kwargs={"event": session.event.slug, "session": session.slug}
        )
    return site_url() + path


def session_summary(session, language: str) -> str:
    """The one-line title of a session, marked when it is cancelled.

    Not every client shows STATUS:CANCELLED, so the title says it too.
    """
    with translation.override(calendar_language(language)):
        title = clean_text(session.title)
        if session.is_cancelled:
            return _("Cancelled: %(title)s") % {"title": title}
        return title


def _speaker_line(session_speaker) -> str:
    return f"- {clean_text(labels.speaker_line(session_speaker))}"


def session_description(session, language: str, *, max_length: int | None = None) -> str:
    """The description of a session in ``language``: text, speakers, livestream, page.

    ``max_length`` limits the session's own text (for "add to calendar" links,
    which travel in a URL); speakers, livestream and page link are always kept.
    """
    language = calendar_language(language)
    with translation.override(language):
        parts = []
        text = clean_text(session.description, multiline=True)
        if max_length is not None and len(text) > max_length:
            text = text[: max_length - 1].rstrip() + "…"
        if text:
            parts.append(text)
        speakers = [_speaker_line(link) for link in session.session_speakers.all()]
        speakers += [f"- {clean_text(line)}" for line in session.other_participant_lines]
        if speakers:
            parts.append(_("Speakers:") + "\n" + "\n".join(speakers))
        livestream = clean_text(session.effective_livestream_url)
        if livestream:
            parts.append(_("Livestream: %(url)s") % {"url": livestream})
        parts.append(_("Programme: %(url)s") % {"url": session_url(session, language)})
        return "\n\n".join(parts)


def session_location(session, language: str) -> str:
    """Where to attend: the livestream link when there is one, else the event's venue."""
    with translation.override(calendar_language(language)):
        return clean_text(session.effective_livestream_url or session.event.venue)


def session_kind(session, language: str) -> str:
    """The session's kind as people read it ("Plenary", "Parallel session")."""
    with translation.override(calendar_language(language)):
        return str(session.get_kind_display())


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _vevent(session, language: str) -> icalendar.Event:
    zone = session.event.reference_zone
    vevent = icalendar.Event()
    # The UUID alone, without a host part: it is already globally unique, and
    # every file and email must carry exactly the same UID for ever.
    vevent.add("UID", str(session.uuid))
    # Without METHOD, DTSTAMP is when the information last changed (RFC 5545
    # 3.8.7.2); using updated_at also keeps the bytes stable between requests.
    vevent.add("DTSTAMP", _utc(session.updated_at))
    vevent.add("LAST-MODIFIED", _utc(session.updated_at))
    vevent.add("SEQUENCE", session.sequence)
    vevent.add("DTSTART", session.start.astimezone(zone))
    vevent.add("DTEND", session.end.astimezone(zone))
    vevent.add("STATUS", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    vevent.add("SUMMARY", session_summary(session, language))
    vevent.add("DESCRIPTION", session_description(session, language))
    location = session_location(session, language)
    if location:
        vevent.add("LOCATION", location)
    vevent.add("URL", session_url(session, language))
    vevent.add("CATEGORIES", [clean_text(session_kind(session, language))])
    vevent.add("TRANSP", "OPAQUE")
    return vevent


def _onset(zone: zoneinfo.ZoneInfo, approximate: datetime, offset_from: timedelta,
           offset_to: timedelta) -> datetime:
    """The exact onset of a transition near ``approximate``, on the wall clock before it.

    RFC 5545 (3.6.5, and its America/New_York example) dates an observance in
    the offset in use *before* it begins: daylight time in New York starts at
    02:00, not 03:00. icalendar 7 writes the first wall-clock time after a
    spring change (03:00), which a strict reader places an hour late, so the
    instant is found again in zoneinfo, to the second.
    """
    def offset_at(seconds: int) -> timedelta:
        return datetime.fromtimestamp(seconds, UTC).astimezone(zone).utcoffset()

    guess = int((approximate - offset_to).replace(tzinfo=UTC).timestamp())
    low, high = guess - 12 * 3600, guess + 12 * 3600
    if offset_at(low) != offset_from or offset_at(high) != offset_to:
        return approximate  # not one clean transition around here: keep icalendar's value
    while high - low > 1:
        middle = (low + high) // 2
        if offset_at(middle) == offset_from:
            low = middle
        else:
            high = middle
    onset_utc = datetime.fromtimestamp(high, UTC).replace(tzinfo=None)
    return onset_utc + offset_from


def vtimezone(zone_name: str, first: date, last: date) -> icalendar.Timezone:
    """A VTIMEZONE for ``zone_name`` that is correct from ``first`` to ``last``.

    icalendar computes the observances from zoneinfo for that range only, so
    the file carries the one or two offsets in use rather than decades of
    transitions. Its explanatory COMMENT is dropped (some clients show it) and
    onsets are expressed as RFC 5545 requires (see :func:`_onset`).
    """
    component = icalendar.Timezone.from_tzid(zone_name, first_date=first, last_date=last)
    component.pop("COMMENT", None)
    zone = zoneinfo.ZoneInfo(zone_name)
    for observance in component.subcomponents:
        offset_from, offset_to = observance.TZOFFSETFROM, observance.TZOFFSETTO
        if offset_from == offset_to:
            continue  # the observance in force at the start of the range
        observance.DTSTART = _onset(zone, observance.DTSTART, offset_from, offset_to)
        if "RDATE" in observance:
            onsets = [_onset(zone, moment, offset_from, offset_to)
                      for moment, _period in observance.rdates]
            observance.pop("RDATE")
            observance.add("RDATE", onsets)
    return component


def _zone_ranges(sessions) -> dict[str, tuple[date, date]]:
    """For each reference zone used, the first and last local dates to cover."""
    ranges: dict[str, list[date]] = defaultdict(list)
    for session in sessions:
        zone_name = session.event.reference_timezone
        zone = session.event.reference_zone
        ranges[zone_name] += [session.start.astimezone(zone).date(),
                              session.end.astimezone(zone).date()]
    # last_date is exclusive (midnight), hence the extra day after the end.
    return {
        name: (min(dates) - ZONE_MARGIN, max(dates) + ZONE_MARGIN + timedelta(days=1))
        for name, dates in ranges.items()
    }


def build_calendar(sessions, *, name: str, language: str, feed: bool = False) -> bytes:
    """The bytes of a VCALENDAR holding one VEVENT per session, cancelled ones included.

    ``sessions``: agenda.models.Session objects, ideally with ``event``, ``day``
    and ``session_speakers__speaker`` preloaded (no query is made then).
    ``name``: the calendar's display name. ``language``: en, ja or vi; texts
    fall back to English where a translation is missing. ``feed``: the file is
    meant for subscription, so it says how often to refresh.

    Times carry the event's reference zone as TZID with a matching VTIMEZONE;
    the output is UTF-8 without BOM, CRLF line ends, folded at 75 octets.
    """
    sessions = list(sessions)
    language = calendar_language(language)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    name = clean_text(name)
    calendar.add("NAME", name)
    calendar.add("X-WR-CALNAME", name)
    if feed:
        calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", "PT1H")
    for zone_name, (first, last) in sorted(_zone_ranges(sessions).items()):
        calendar.add_component(vtimezone(zone_name, first, last))
    for session in sessions:
        calendar.add_component(_vevent(session, language))
    return calendar.to_ical()
