"""Copying an event into its next edition (and into a demonstration event).

The copy keeps everything organisers typed once: every translation of the
event, its organisations and their roles, its days, its sessions with their
kinds, tracks, capacities, speakers (the same speaker records) and their
roles. Dates move so that the first day falls on the new first day, and every
session keeps its wall-clock time in the reference zone on the shifted day:
20:00 in New York stays 20:00 whether New York is on EST or EDT then.

What belongs to the old edition stays with it: registrations, recorded
changes, reminders and notices are not copied; each session gets a new UUID
(its identity in calendars) and SEQUENCE 0, so no calendar mixes up the two
editions. The copy is a draft with registration closed until organisers are
ready.
"""

import datetime as dt
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from agenda.models import Day, Event, EventOrganisation, Session, SessionSpeaker

SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")


def validate_new_slug(slug: str) -> None:
    """Raise ValidationError unless ``slug`` is a valid, unused event slug."""
    max_length = Event._meta.get_field("slug").max_length
    if not slug or not SLUG_PATTERN.match(slug) or len(slug) > max_length:
        raise ValidationError(
            _("“%(slug)s” is not a valid slug: use letters, digits, hyphens and underscores "
              "(at most %(max)d).") % {"slug": slug, "max": max_length},
            code="invalid",
        )
    if Event.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("An event with the slug “%(slug)s” exists already.") % {"slug": slug},
            code="taken",
        )


def _shift_dates(instance, zone, days: int) -> None:
    """Move every date and time field of ``instance`` by ``days`` (wall clock kept in ``zone``).

    Generic on purpose: a field added later (a registration window, say) moves
    with the days without this module having to know it. Timestamps kept by
    Django itself (``auto_now``) are left to it.
    """
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if value is None or getattr(field, "auto_now", False) or getattr(
            field, "auto_now_add", False
        ):
            continue
        if isinstance(field, models.DateTimeField):
            setattr(instance, field.attname, shifted_moment(value, zone, days))
        elif isinstance(field, models.DateField):
            setattr(instance, field.attname, value + dt.timedelta(days=days))


def shifted_moment(moment: dt.datetime, zone, days: int) -> dt.datetime:
    """``moment`` moved by ``days`` calendar days, keeping its wall-clock time in ``zone``."""
    local = moment.astimezone(zone)
    moved = dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time(), zone)
    return moved.astimezone(dt.UTC)


@transaction.atomic
def copy_event(source: Event, *, slug: str, start_date: dt.date, published: bool = False,
               registration_open: bool = False, name_prefixes: dict | None = None) -> Event:
    """Copy ``source`` as a new event ``slug`` whose first day is ``start_date``.

    The copy is a draft with registration closed unless ``published`` or
    ``registration_open`` say otherwise. ``name_prefixes`` (language code →
    text) puts a label before the name in each language, e.g. for a
    demonstration. Raises ValidationError for a bad or taken slug.
    """
    validate_new_slug(slug)
    days = list(source.days.order_by("date", "number"))
    offset = (start_date - days[0].date).days if days else 0
    zone = source.reference_zone

    event = Event.objects.get(pk=source.pk)  # a fresh row: every translation as stored
    event.pk = None
    event._state.adding = True
    event.slug = slug
    event.published = published
    event.registration_open = registration_open
    event.recording_url = ""  # a recording belongs to the edition that was recorded
    _shift_dates(event, zone, offset)
    for code, prefix in (name_prefixes or {}).items():
        # An empty translation falls back to English: the label still shows.
        name = getattr(event, f"name_{code}") or event.name_en
        with override(code):
            event.name = f"{prefix}{name}"  # the translated field of that language
    event.save()

    for link in source.event_organisations.order_by("order", "id"):
        EventOrganisation.objects.create(
            event=event, organisation_id=link.organisation_id, role=link.role, order=link.order
        )

    new_days: dict[int, Day] = {}
    for number, day in enumerate(days, start=1):
        old_pk = day.pk
        day.pk = None
        day._state.adding = True
        day.event = event
        day.number = number
        _shift_dates(day, zone, offset)
        day.save()
        new_days[old_pk] = day

    sessions = Session.objects.filter(event=source).order_by("start", "track", "id")
    speakers = SessionSpeaker.objects.filter(session__event=source).order_by("order", "id")
    roles_by_session: dict[int, list[SessionSpeaker]] = {}
    for role in speakers:
        roles_by_session.setdefault(role.session_id, []).append(role)
    for session in sessions:
        old_pk = session.pk
        session.pk = None
        session._state.adding = True
        session.event = event
        session.day = new_days[session.day_id]
        session.uuid = uuid.uuid4()
        session.sequence = 0
        session.recording_url = ""
        _shift_dates(session, zone, offset)
        session.save()
        for role in roles_by_session.get(old_pk, []):
            SessionSpeaker.objects.create(
                session=session, speaker_id=role.speaker_id, role=role.role, order=role.order
            )
    return event


DEMONSTRATION_PREFIXES = {
    # The name says it in every language, so nobody mistakes it for the real event.
    "en": "Demonstration: ",
    "ja": "デモ：",
    "vi": "Bản trình diễn: ",
}


def copy_as_demonstration(source: Event, *, slug: str, start_date: dt.date) -> Event:
    """A published copy of ``source`` with registration open, labelled as a demonstration.

    For trying sign-up on a local run: the seed events are past, so their
    registration is closed.
    """
    prefixes = {code: DEMONSTRATION_PREFIXES[code] for code, _name in settings.LANGUAGES
                if code in DEMONSTRATION_PREFIXES}
    return copy_event(source, slug=slug, start_date=start_date, published=True,
                      registration_open=True, name_prefixes=prefixes)
