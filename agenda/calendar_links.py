"""Links that add a session (or subscribe a feed) to someone's calendar.

Web calendars cannot read a TZID, so their links carry UTC times (``…Z``);
the texts are the ones of the .ics files (``agenda.calendars``), so a session
reads the same whichever way it was added.
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.urls import reverse

from agenda.calendars import (
    calendar_language,
    session_description,
    session_location,
    session_summary,
)
from forum_site.site_url import site_url

GOOGLE_CALENDAR_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_COM_URL = "https://outlook.live.com/calendar/0/action/compose"
OFFICE365_URL = "https://outlook.office.com/calendar/0/action/compose"
#: The web calendars a session can be added to, in the order the menu lists them.
WEB_CALENDARS = ("google", "outlook", "office365")

# The whole link must stay well under the ~2,000 characters some browsers and
# the calendar services accept; the session's own text is shortened to fit,
# speakers and the link to the session page are always kept.
LINK_DESCRIPTION_LENGTH = 600


def _query(params: dict) -> str:
    # %20 rather than "+" for spaces: Outlook on the web shows a "+" literally.
    return urlencode(params, quote_via=quote)


def _google_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def web_calendar_urls(session, language: str) -> dict[str, str]:
    """Google Calendar, Outlook.com and Microsoft 365 "new event" links for ``session``.

    The texts (in ``language``) are worked out once for all three: an agenda
    page carries these links for every session.
    """
    summary = session_summary(session, language)
    details = session_description(session, language, max_length=LINK_DESCRIPTION_LENGTH)
    location = session_location(session, language)
    google = {
        "action": "TEMPLATE",
        "text": summary,
        "dates": f"{_google_time(session.start)}/{_google_time(session.end)}",
        "details": details,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": summary,
        "startdt": _iso_utc(session.start),
        "enddt": _iso_utc(session.end),
        "body": details,
    }
    if location:
        google["location"] = outlook["location"] = location
    outlook_query = _query(outlook)
    return {
        "google": f"{GOOGLE_CALENDAR_URL}?{_query(google)}",
        "outlook": f"{OUTLOOK_COM_URL}?{outlook_query}",
        "office365": f"{OFFICE365_URL}?{outlook_query}",
    }


def add_to_calendar_urls(session) -> dict[str, str]:
    """The site's own short links to each web calendar, for the pages (no language, no host).

    Each redirects to the long link of :func:`web_calendar_urls`, built when
    it is followed: three such links per session were most of an agenda page.
    The paths are relative to the site and carry the page's language prefix.
    """
    first = reverse("agenda:add_to_calendar", kwargs={
        "event": session.event.slug, "session": session.slug, "service": WEB_CALENDARS[0]})
    base = first.removesuffix(WEB_CALENDARS[0])  # one reverse() for the three
    return {service: base + service for service in WEB_CALENDARS}


def session_calendar_path(session, language: str) -> str:
    """The site-relative path of one session's .ics file in ``language``, for the pages.

    Relative, so the block of the agenda that carries it is the same whatever
    host the page was served on (agenda/session_cards.py keeps it).
    """
    path = reverse("feeds:session_calendar",
                   kwargs={"event": session.event.slug, "session": session.slug})
    return f"{path}?{_query({'lang': calendar_language(language)})}"


def webcal_url(http_url: str) -> str:
    """``http_url`` with the ``webcal://`` scheme, which opens the subscribe dialog.

    Raises ValueError for anything but an http(s) or webcal URL.
    """
    parts = urlsplit(http_url)
    if parts.scheme.lower() not in ("http", "https", "webcal") or not parts.netloc:
        raise ValueError(f"Not an http(s) URL: {http_url!r}")
    return urlunsplit(("webcal",) + tuple(parts)[1:])


def google_subscribe_url(feed_url: str) -> str:
    """A Google Calendar link that subscribes to the feed at ``feed_url`` (http(s) or webcal)."""
    return f"{GOOGLE_CALENDAR_URL}?{_query({'cid': webcal_url(feed_url)})}"


def _feed_url(name: str, kwargs: dict, language: str) -> str:
    # Feeds have no language prefix; the language travels in ?lang= so that a
    # calendar server fetching the feed later still gets the visitor's language.
    # On site_url(): SITE_URL, or on a laptop the address the page was served on.
    path = reverse(f"feeds:{name}", kwargs=kwargs)
    return f"{site_url()}{path}?{_query({'lang': calendar_language(language)})}"


def event_calendar_url(event, language: str) -> str:
    """Absolute URL of the event's .ics feed in ``language``."""
    return _feed_url("event_calendar", {"event": event.slug}, language)


def day_calendar_url(day, language: str) -> str:
    """Absolute URL of one programme day's .ics feed in ``language``."""
    return _feed_url("day_calendar", {"event": day.event.slug, "number": day.number}, language)


def session_calendar_url(session, language: str) -> str:
    """Absolute URL of one session's .ics file in ``language``."""
    return _feed_url(
        "session_calendar", {"event": session.event.slug, "session": session.slug}, language
    )
