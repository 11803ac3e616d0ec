"""Builders for test data that the seed fixtures do not cover."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from agenda.models import Day, Event, Session, Speaker

_counter = itertools.count(1)


def make_event(
    slug=None,
    *,
    reference_timezone="America/New_York",
    display_timezones="America/New_York, Asia/Tokyo",
    **fields,
):
    """A published event with no days yet (``published=False`` for a draft)."""
    slug = slug or f"event-{next(_counter)}"
    defaults = {
        "name": f"Event {slug}",
        "format": Event.Format.ONLINE,
        "reference_timezone": reference_timezone,
        "display_timezones": display_timezones,
        "published": True,
    }
    defaults.update(fields)
    return Event.objects.create(slug=slug, **defaults)


def make_day(event, number=1, day_date=date(2022, 3, 9), **fields):
    return Day.objects.create(event=event, number=number, date=day_date, **fields)


def make_session(day, start_local, minutes=30, *, slug=None, kind=Session.Kind.PLENARY, **fields):
    """A session starting at ``start_local`` (naive, in the event's reference zone)."""
    zone = ZoneInfo(day.event.reference_timezone)
    start = start_local.replace(tzinfo=zone)
    slug = slug or f"session-{next(_counter)}"
    fields.setdefault("title", f"Session {slug}")
    return Session.objects.create(
        event=day.event,
        day=day,
        slug=slug,
        kind=kind,
        start=start,
        end=start + timedelta(minutes=minutes),
        **fields,
    )


def make_programme(event, sessions, *, first_day=date(2030, 1, 7), per_day=50, speakers=True):
    """A synthetic programme of ``sessions`` sessions, ``per_day`` a day, with speakers.

    Used to prove that pages run a fixed number of queries whatever the size.
    """
    days = []
    created = 0
    day_number = 0
    while created < sessions:
        day_number += 1
        day = make_day(event, day_number, first_day + timedelta(days=day_number - 1))
        days.append(day)
        for index in range(min(per_day, sessions - created)):
            start = datetime.combine(day.date, datetime.min.time()) + timedelta(
                minutes=15 * (index // 2)
            )
            session = make_session(
                day,
                start,
                minutes=15,
                kind=Session.Kind.PARALLEL,
                track=f"Track {index % 2 + 1}",
                slug=f"d{day_number}-s{index}",
            )
            if speakers:
                speaker = Speaker.objects.create(
                    slug=f"{event.slug}-d{day_number}-s{index}", name=f"Speaker {created}"
                )
                session.session_speakers.create(speaker=speaker)
            created += 1
    return days
