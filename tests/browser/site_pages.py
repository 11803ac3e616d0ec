"""Every public page of the site, in one language: what the quality checks walk through.

"Public" means every page a visitor can reach without signing in, including
the registration flow (its private pages are reached by a link in an email)
and the error pages. Registrations the private pages need are made through
``registration.services``, exactly as the sign-up form makes them.
"""

import re

from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from agenda.models import Session, Speaker
from registration import services


def changes_undone(forum):
    """Programme changes that leave the programme as it was, so the changelog has entries.

    A session moved and moved back, another cancelled and restored: the
    changelog shows both kinds of entry (before/after times, and one time),
    while every other page (and screenshot) stays the same.
    """
    from datetime import timedelta

    from agenda.services import save_session

    moved = Session.objects.get(event=forum, slug="closing-remarks-day-2")
    for minutes in (15, -15):
        moved.start += timedelta(minutes=minutes)
        moved.end += timedelta(minutes=minutes)
        save_session(moved)
    cancelled = Session.objects.get(event=forum, slug="parallel-session-4")
    for status in (Session.Status.CANCELLED, Session.Status.SCHEDULED):
        cancelled.status = status
        save_session(cancelled)


def registrations(forum):
    """A pending and a confirmed registration for the forum, after some programme changes.

    Returns the pending one's confirmation value (from its email) and the
    confirmed one's private token.
    """
    changes_undone(forum)
    slot_sessions = Session.objects.filter(event=forum, slug__in=[
        "parallel-session-1", "parallel-session-3"])
    sent_before = len(mail.outbox)
    pending = services.Details(
        full_name="Nguyễn Thị Lan", email="lan@example.vn", organisation="Điện Biên",
        sector="local_government", language="vi", channel="en", choices=list(slot_sessions),
    )
    services.register(forum, pending)
    confirmed = services.Details(
        full_name="Jane Doe", email="jane@example.org", organisation="City of Boston",
        sector="local_government", language="en", channel="en", choices=list(slot_sessions),
    )
    registration = services.register(forum, confirmed)
    values = [
        re.search(r"/registration/confirm/([^/\s]+)/", message.body).group(1)
        for message in mail.outbox[sent_before:]
    ]
    services.confirm(values[1])
    return values[0], registration.token


def _maybe(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def public_pages(lang, forum, dien_bien, confirm_value, token, *, every_session=False):
    """(name, path) of every public page in ``lang``; the names are unique and file-safe."""
    with translation.override(lang):
        pages = [("events", reverse("agenda:event_list"))]
        for event in (forum, dien_bien):
            slug = event.slug
            pages += [
                (f"{slug}-overview", reverse("agenda:event", kwargs={"event": slug})),
                (f"{slug}-agenda", reverse("agenda:agenda", kwargs={"event": slug})),
                (f"{slug}-speakers", reverse("agenda:speakers", kwargs={"event": slug})),
                (f"{slug}-register", reverse("registration:register", kwargs={"event": slug})),
                (f"{slug}-register-sent", reverse("registration:sent", kwargs={"event": slug})),
                (f"{slug}-privacy", reverse("registration:privacy", kwargs={"event": slug})),
            ]
            changes = _maybe("agenda:changes", event=slug)
            if changes:
                pages.append((f"{slug}-changes", changes))
            sessions = Session.objects.filter(event=event).order_by("start", "slug")
            if not every_session:
                sessions = sessions.filter(slug__in=[
                    "opening-remarks-day-1", "parallel-session-1", "break-day-1"])
            pages += [
                (f"{slug}-session-{session.slug}",
                 reverse("agenda:session", kwargs={"event": slug, "session": session.slug}))
                for session in sessions
            ]
            for speaker in Speaker.objects.filter(
                    session_roles__session__event=event).distinct().order_by("slug"):
                pages.append((f"{slug}-speaker-{speaker.slug}", reverse(
                    "agenda:speaker", kwargs={"event": slug, "speaker": speaker.slug})))
        agenda = reverse("agenda:agenda", kwargs={"event": forum.slug})
        pages += [
            ("zccf-2022-agenda-paris", agenda + "?tz=Europe/Paris"),
            ("zccf-2022-agenda-bad-zone", agenda + "?tz=Not/A_Zone"),
            ("request-link", reverse("registration:request_link")),
            ("link-sent", reverse("registration:link_sent")),
            ("erased", reverse("registration:erased")),
            ("confirm", reverse("registration:confirm", kwargs={"value": confirm_value})),
            ("private-page", reverse("registration:manage", kwargs={"token": token})),
            ("cancel", reverse("registration:cancel", kwargs={"token": token})),
            ("erase", reverse("registration:erase", kwargs={"token": token})),
            ("invalid-link", reverse("registration:manage", kwargs={"token": "x" * 43})),
            ("not-found", reverse("agenda:event", kwargs={"event": "no-such-event"})),
        ]
    return pages
