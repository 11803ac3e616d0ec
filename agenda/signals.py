"""Any saved change to the programme makes the affected events' cached pages stale.

Connected in ``AgendaConfig.ready()``. Every model shown on the public pages
and feeds is covered: events, days, sessions, speakers, organisations, the
speakers of a session, the organisations of an event and the recorded changes
of sessions (the public changelog), saved one by one as the admin does, or
through ``add()``/``remove()`` on the many-to-many relations. Each handler
finds the events concerned and calls ``forum_site.pagecache.bump_events``; see that
module for how a new generation reaches every app instance at once.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from agenda.models import (
    Day,
    Event,
    EventOrganisation,
    Organisation,
    Session,
    SessionChange,
    SessionSpeaker,
    Speaker,
)
from forum_site.pagecache import bump_events


def _slugs(queryset) -> set[str]:
    return set(queryset.values_list("slug", flat=True).distinct())


def _event_slug(event_id) -> set[str]:
    return _slugs(Event.objects.filter(pk=event_id))


def events_of_speaker(speaker_id) -> set[str]:
    return _slugs(Event.objects.filter(sessions__session_speakers__speaker_id=speaker_id))


def events_of_organisation(organisation_id) -> set[str]:
    return _slugs(
        Event.objects.filter(
            Q(event_organisations__organisation_id=organisation_id)
            | Q(sessions__session_speakers__speaker__organisation_id=organisation_id)
        )
    )


# Events: their slug is in the URL, so a new slug makes the old one stale too.

def event_will_change(sender, instance, **kwargs):
    instance._slug_before_save = (
        Event.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if instance.pk else None
    )


def event_changed(sender, instance, **kwargs):
    bump_events({instance.slug, getattr(instance, "_slug_before_save", None)})


# Things that belong to one event.

def part_of_event_changed(sender, instance, **kwargs):
    # The event may be gone already when it is deleted with its days and
    # sessions; its own post_delete renews its generation then.
    bump_events(_event_slug(instance.event_id))


def part_of_session_changed(sender, instance, **kwargs):
    bump_events(_slugs(Event.objects.filter(sessions__pk=instance.session_id)))


# Things shared between events: found before a delete, while links still exist.

def speaker_changed(sender, instance, **kwargs):
    bump_events(events_of_speaker(instance.pk))


def organisation_changed(sender, instance, **kwargs):
    bump_events(events_of_organisation(instance.pk))


def links_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``event.organisations.add(…)``, ``session.speakers.remove(…)`` and the reverse."""
    if action not in ("pre_clear", "post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Event):
        bump_events({instance.slug})
    elif isinstance(instance, Session):
        bump_events(_event_slug(instance.event_id))
    elif isinstance(instance, Speaker):
        bump_events(events_of_speaker(instance.pk))
    elif isinstance(instance, Organisation):
        bump_events(events_of_organisation(instance.pk))
    if pk_set and model is Event:
        bump_events(_slugs(Event.objects.filter(pk__in=pk_set)))
    elif pk_set and model is Session:
        bump_events(_slugs(Event.objects.filter(sessions__pk__in=pk_set)))


def connect():
    uid = "agenda.signals"
    pre_save.connect(event_will_change, sender=Event, dispatch_uid=f"{uid}.event.pre")
    post_save.connect(event_changed, sender=Event, dispatch_uid=f"{uid}.event.save")
    post_delete.connect(event_changed, sender=Event, dispatch_uid=f"{uid}.event.delete")
    for model in (Day, Session, EventOrganisation):
        name = model._meta.model_name
        post_save.connect(part_of_event_changed, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(
            part_of_event_changed, sender=model, dispatch_uid=f"{uid}.{name}.delete"
        )
    # A change record belongs to its session's event, exactly like a session speaker.
    for model in (SessionSpeaker, SessionChange):
        name = model._meta.model_name
        post_save.connect(part_of_session_changed, sender=model, dispatch_uid=f"{uid}.{name}.save")
        post_delete.connect(
            part_of_session_changed, sender=model, dispatch_uid=f"{uid}.{name}.delete"
        )
    post_save.connect(speaker_changed, sender=Speaker, dispatch_uid=f"{uid}.speaker.save")
    pre_delete.connect(speaker_changed, sender=Speaker, dispatch_uid=f"{uid}.speaker.delete")
    post_save.connect(organisation_changed, sender=Organisation,
                      dispatch_uid=f"{uid}.organisation.save")
    pre_delete.connect(organisation_changed, sender=Organisation,
                       dispatch_uid=f"{uid}.organisation.delete")
    for through in (Event.organisations.through, Session.speakers.through):
        m2m_changed.connect(links_changed, sender=through,
                            dispatch_uid=f"{uid}.{through._meta.model_name}.m2m")
