"""Calendar (.ics) and schedule (JSON) feeds of the programme, without language prefix.

Views stay thin: the calendar comes from ``agenda.calendars.build_calendar``,
the JSON from ``agenda.schedule_json.build_schedule``.

- Language: ``?lang=en|ja|vi`` wins (subscription links carry it, since a
  calendar server fetching the feed sends no useful Accept-Language); else the
  request's Accept-Language (or language cookie); else English. An unknown
  ``lang`` is ignored, never an error.
- Files are sent as ``attachment`` with a readable filename in the chosen
  language (``filename*`` for non-ASCII names, with an ASCII ``filename``
  fallback): a click on a link downloads the file and hands it to the calendar
  app, while subscribing clients ignore the header.
- ETag and Last-Modified come from the newest ``updated_at`` of the sessions in
  the file (and the event's own fields), so pollers get ``304 Not Modified``
  until something changes. Each view runs a fixed number of queries.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from agenda import schedule_json
from agenda.calendars import build_calendar, calendar_language, clean_text
from agenda.models import Day, Event, Session, SessionSpeaker
from forum_site import downloads

# Raise when the output format changes, so cached copies are not reused.
FORMAT_VERSION = "1"
# Short enough that a changed time reaches browsers and proxies quickly;
# revalidation is cheap thanks to the ETag.
MAX_AGE = 300

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"

_FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|]+')
_FILENAME_MAX_LENGTH = 100


def request_language(request) -> str:
    """The feed's language: valid ``?lang=``, else the request's preference, else English."""
    requested = request.GET.get("lang", "")
    if requested:
        try:
            return translation.get_supported_language_variant(requested[:20])
        except LookupError:
            pass  # garbage or unsupported: fall back as if absent
    return calendar_language(translation.get_language_from_request(request, check_path=False))


def with_speakers(sessions):
    """``sessions`` with everything the builders read loaded in three queries at most."""
    return sessions.select_related("event", "day").prefetch_related(
        Prefetch(
            "session_speakers",
            queryset=SessionSpeaker.objects.select_related("speaker").order_by("order", "id"),
        )
    )


def _filename(text: str, fallback: str) -> str:
    name = _FILENAME_FORBIDDEN.sub(" ", clean_text(text)).strip(" .")
    name = re.sub(r"\s+", " ", name)[:_FILENAME_MAX_LENGTH].strip()
    return name or fallback


def calendar_response(body: bytes, *, filename: str, fallback_filename: str,
                      language: str) -> HttpResponse:
    """An .ics download: content type, filename, language and Vary headers set."""
    response = HttpResponse(body, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = downloads.attachment(
        _filename(filename, fallback_filename) + ".ics", fallback_filename + ".ics"
    )
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@dataclass
class _Scope:
    """What one feed request is about, loaded once for the ETag and the view."""

    event: Event
    sessions: object  # QuerySet of the sessions in the file
    language: str
    last_modified: datetime | None
    etag: str
    day: Day | None = None
    session: Session | None = None


def _event_fingerprint(event: Event) -> str:
    # Event has no updated_at, but its own fields appear in every file
    # (venue, livestream, name): hash them so editing them changes the ETag.
    fields = [
        f.attname for f in Event._meta.concrete_fields if f.attname not in ("id",)
    ]
    return repr([getattr(event, name) for name in fields])


def _scope(request, event, number=None, session=None) -> _Scope:
    cached = getattr(request, "_feed_scope", None)
    if cached is not None:
        return cached
    language = request_language(request)
    found_day = found_session = None
    events = Event.objects.visible_to(request.user)  # drafts: staff only
    if session is not None:
        found_session = get_object_or_404(
            with_speakers(Session.objects.filter(event__in=events)), event__slug=event,
            slug=session,
        )
        event_obj = found_session.event
        sessions = Session.objects.filter(pk=found_session.pk)
        count, newest = 1, found_session.updated_at
    else:
        if number is not None:
            found_day = get_object_or_404(
                Day.objects.select_related("event").filter(event__in=events), event__slug=event,
                number=number,
            )
            event_obj = found_day.event
            sessions = Session.objects.filter(day=found_day)
        else:
            event_obj = get_object_or_404(events, slug=event)
            sessions = Session.objects.filter(event=event_obj)
        totals = sessions.aggregate(count=Count("id"), newest=Max("updated_at"))
        count, newest = totals["count"], totals["newest"]
    key = "|".join([
        FORMAT_VERSION, request.resolver_match.url_name, str(event), str(number), str(session),
        language, str(count), newest.isoformat() if newest else "", _event_fingerprint(event_obj),
    ])
    request._feed_scope = _Scope(
        event=event_obj,
        sessions=sessions,
        language=language,
        last_modified=newest,
        etag=hashlib.sha256(key.encode()).hexdigest()[:32],
        day=found_day,
        session=found_session,
    )
    return request._feed_scope


def _etag(request, **kwargs):
    return _scope(request, **kwargs).etag


def _last_modified(request, **kwargs):
    return _scope(request, **kwargs).last_modified


def _feed_view(view):
    """GET/HEAD only, conditional on the scope's ETag and Last-Modified, briefly cacheable."""
    view = condition(etag_func=_etag, last_modified_func=_last_modified)(view)
    view = cache_control(public=True, max_age=MAX_AGE)(view)
    return require_safe(view)


@_feed_view
def event_calendar(request, event):
    """Every session of the event, cancelled ones included, as a subscribable feed."""
    scope = _scope(request, event)
    with translation.override(scope.language):
        name = clean_text(scope.event.name)
    body = build_calendar(
        with_speakers(scope.sessions), name=name, language=scope.language, feed=True
    )
    return calendar_response(
        body, filename=name, fallback_filename=scope.event.slug, language=scope.language
    )


@_feed_view
def day_calendar(request, event, number):
    """The sessions of one programme day (numbered from 1) as a subscribable feed."""
    scope = _scope(request, event, number=number)
    with translation.override(scope.language):
        name = f"{clean_text(scope.event.name)} - {scope.day.display_label}"
    body = build_calendar(
        with_speakers(scope.sessions), name=name, language=scope.language, feed=True
    )
    return calendar_response(
        body,
        filename=name,
        fallback_filename=f"{scope.event.slug}-day-{scope.day.number}",
        language=scope.language,
    )


@_feed_view
def session_calendar(request, event, session):
    """One session, for a one-off import."""
    scope = _scope(request, event, session=session)
    with translation.override(scope.language):
        event_name = clean_text(scope.event.name)
        title = clean_text(scope.session.title)
    body = build_calendar(
        [scope.session], name=f"{event_name} - {title}", language=scope.language
    )
    return calendar_response(
        body,
        filename=title,
        fallback_filename=f"{scope.event.slug}-{scope.session.slug}",
        language=scope.language,
    )


@_feed_view
def schedule(request, event):
    """The programme in the frab/C3VOC schedule JSON format."""
    scope = _scope(request, event)
    days = list(scope.event.days.order_by("number"))
    if not days:
        raise Http404("This event has no programme yet.")
    document = schedule_json.build_schedule(
        scope.event,
        days,
        with_speakers(scope.sessions.order_by("start", "track", "id")),
        language=scope.language,
        version=scope.etag,
    )
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Language"] = scope.language
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
