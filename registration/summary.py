"""A registration as its owner reads it, shared by the private page and the emails.

Says plainly where the person stands (confirmed, or how many people wait
before them), which sessions they attend, and when, in each of the event's
display zones.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from agenda.calendar_links import webcal_url
from agenda.models import Session
from agenda.timezones import TimeRange, time_ranges
from forum_site.site_url import site_url
from registration.models import Registration, SessionChoice
from registration.programme import personal_sessions


@dataclass
class ChoiceLine:
    session: Session
    status: str
    status_label: str
    times: list[TimeRange]
    waiting_position: int | None = None

    @property
    def is_waitlisted(self):
        return self.status == SessionChoice.Status.WAITLISTED

    @property
    def is_confirmed(self):
        return self.status == SessionChoice.Status.CONFIRMED


@dataclass
class SessionLine:
    session: Session
    times: list[TimeRange]


@dataclass
class Summary:
    registration: Registration
    waiting_position: int | None
    choices: list[ChoiceLine] = field(default_factory=list)
    sessions: list[SessionLine] = field(default_factory=list)

    @property
    def waitlisted_choices(self):
        return [line for line in self.choices if line.is_waitlisted]


def event_waiting_position(registration) -> int | None:
    """1 for the first person waiting for an event seat; None when not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=Registration.Status.WAITLISTED,
        seat_requested_at__lt=registration.seat_requested_at,
    ).count() + Registration.objects.filter(
        event_id=registration.event_id,
        status=Registration.Status.WAITLISTED,
        seat_requested_at=registration.seat_requested_at,
        pk__lt=registration.pk,
    ).count()
    return ahead + 1


def choice_waiting_position(choice) -> int | None:
    """1 for the first person waiting for a seat in that session; None when not waiting."""
    if choice.status != SessionChoice.Status.WAITLISTED:
        return None
    queue = SessionChoice.objects.filter(
        session_id=choice.session_id,
        status=SessionChoice.Status.WAITLISTED,
        registration__status=Registration.Status.CONFIRMED,
    )
    ahead = queue.filter(requested_at__lt=choice.requested_at).count() + queue.filter(
        requested_at=choice.requested_at, pk__lt=choice.pk
    ).count()
    return ahead + 1


def summarise(registration) -> Summary:
    """Everything the private page and the emails say about a registration.

    Times are computed in the active language's formats, so call it inside
    ``translation.override`` when writing an email.
    """
    zones = registration.event.display_zones
    summary = Summary(registration, event_waiting_position(registration))
    for choice in registration.choices.select_related("session", "session__day"):
        summary.choices.append(
            ChoiceLine(
                session=choice.session,
                status=choice.status,
                status_label=choice.get_status_display(),
                times=time_ranges(choice.session.start, choice.session.end, zones),
                waiting_position=choice_waiting_position(choice),
            )
        )
    summary.choices.sort(key=lambda line: (line.session.start, line.session.pk))
    for session in personal_sessions(registration):
        if session.is_break:
            continue
        summary.sessions.append(
            SessionLine(session, time_ranges(session.start, session.end, zones))
        )
    return summary


def links(registration, base_url=None) -> dict:
    """Absolute URLs of the person's private page and calendar feed.

    ``base_url`` defaults to ``site_url()`` (emails, commands); views
    pass the request's own origin. The private page is in the active language.
    """
    base = (base_url or site_url()).rstrip("/")
    if not registration.token:
        return {}
    feed = base + reverse(
        "registration_feeds:personal_calendar", kwargs={"token": registration.token}
    )
    return {
        "manage_url": base + reverse("registration:manage", kwargs={"token": registration.token}),
        "feed_url": feed,
        "webcal_url": webcal_url(feed),
    }
