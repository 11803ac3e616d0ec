"""Every email the registration app sends, and the one way they are sent.

Each ``send_*`` function only *queues* its message with
``transaction.on_commit``: nothing leaves for a transaction that rolls back,
and the message is written after the commit from the registration as stored
then, in the registrant's language (``translation.override``), as text and
HTML (``EmailMultiAlternatives``), from the templates in
``templates/registration/emails/``.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agenda.calendars import build_calendar
from agenda.models import SessionChange
from registration import summary, tokens
from registration.changes import notice_lines
from registration.models import Registration
from registration.programme import personal_sessions

logger = logging.getLogger(__name__)


def send_confirmation_request(registration):
    """The double opt-in email: a link, valid seven days, that confirms the address."""
    _queue("confirmation_request", registration)


def send_private_link(registration):
    """The way back to an existing registration (duplicate sign-up, lost link)."""
    _queue("private_link", registration)


def send_outcome(registration):
    """After confirmation: confirmed or waiting, the programme, the calendar."""
    _queue("outcome", registration)


def send_promoted(registration, *, event_seat: bool, session_ids=()):
    """A seat freed up and is now theirs (the event's, or a session's)."""
    _queue("promoted", registration, event_seat=event_seat, session_ids=list(session_ids))


def send_cancelled(registration):
    """Acknowledges a cancellation."""
    _queue("cancelled", registration)


def send_reminder(registration):
    """A reminder before the event, with the programme and the links again."""
    _queue("reminder", registration)


def send_change_notice(registration, *, change_ids):
    """Programme changes of the person's sessions: what each was, what it is now."""
    _queue("change_notice", registration, change_ids=list(change_ids))


def _queue(kind, registration, **extra):
    # robust: a mail server that is down must not turn a committed
    # registration into an error page; the failure is logged, and the person
    # can ask for their link again.
    registration_id = registration.pk

    def deliver_after_commit():
        deliver(kind, registration_id, **extra)

    transaction.on_commit(deliver_after_commit, robust=True)


def deliver(kind, registration_id, **extra):
    """Write and send one email now (normally called after commit)."""
    registration = (
        Registration.objects.select_related("event").filter(pk=registration_id).first()
    )
    if registration is None or registration.is_erased or not registration.email:
        return
    build_message(kind, registration, **extra).send()
    logger.info("registration email %s sent for registration %s", kind, registration_id)


def build_message(kind, registration, **extra) -> EmailMultiAlternatives:
    """The email ``kind`` for ``registration``, in the registrant's language."""
    with translation.override(registration.language):
        context = _context(kind, registration, **extra)
        subject = render_to_string(f"registration/emails/{kind}_subject.txt", context)
        text = render_to_string(f"registration/emails/{kind}.txt", context)
        html = render_to_string(f"registration/emails/{kind}.html", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[registration.email],
            reply_to=[registration.event.contact_email] if registration.event.contact_email
            else None,
        )
        message.attach_alternative(html, "text/html")
        if kind in ("outcome", "promoted", "reminder", "change_notice"):
            attachment = calendar_attachment(registration)
            if attachment:
                message.attach(*attachment)
    return message


def calendar_attachment(registration):
    """(filename, bytes, mimetype) of the person's sessions, or None if they have none."""
    sessions = personal_sessions(registration)
    if not sessions:
        return None
    content = build_calendar(
        sessions,
        name=calendar_name(registration),
        language=registration.language,
    )
    return (calendar_filename(registration), content, "text/calendar")


def calendar_name(registration) -> str:
    """The calendar's title: the event's name and "my sessions", in the person's language."""
    with translation.override(registration.language):
        return _("%(event)s: my sessions") % {"event": registration.event.name}


def calendar_filename(registration) -> str:
    return f"{registration.event.slug}-my-sessions.ics"


def _context(kind, registration, **extra):
    event = registration.event
    base = settings.SITE_URL
    context = {
        "registration": registration,
        "event": event,
        "summary": summary.summarise(registration),
        "site_url": base,
        "event_url": base + reverse("agenda:event", kwargs={"event": event.slug}),
        "privacy_url": base + reverse("registration:privacy", kwargs={"event": event.slug}),
        "register_url": base + reverse("registration:register", kwargs={"event": event.slug}),
        "contact_email": event.contact_email,
        **summary.links(registration, base),
    }
    if kind == "confirmation_request":
        context["confirm_url"] = base + reverse(
            "registration:confirm", kwargs={"value": tokens.sign_confirmation(registration.pk)}
        )
        context["valid_days"] = tokens.CONFIRMATION_MAX_AGE.days
    if kind == "promoted":
        session_ids = set(extra.get("session_ids", ()))
        context["event_seat"] = extra.get("event_seat", False)
        context["promoted_choices"] = [
            line for line in context["summary"].choices if line.session.pk in session_ids
        ]
    if kind == "change_notice":
        changes = SessionChange.objects.filter(pk__in=extra.get("change_ids", ())).select_related(
            "session__event"
        )
        context["changes"] = notice_lines(changes, event.display_zones)
        context["changes_url"] = base + reverse("agenda:changes", kwargs={"event": event.slug})
    return context
