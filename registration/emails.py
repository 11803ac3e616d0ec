"""Every email the registration app sends, and the one way they are sent.

Each ``send_*`` function writes its message, in the registrant's language
(``translation.override``), as text and HTML, from the templates in
``templates/registration/emails/``, and stores it in django-post_office's
outbox *in the caller's transaction*: a registration and its email are
committed together or not at all. Only after the commit is the message handed
to the mail server (``EMAIL_BACKEND``). When that fails (server down,
refused connection), the registration stays as it is, the email stays in the
outbox and ``manage.py send_queued_mail`` (cron) tries it again
``POST_OFFICE["MAX_RETRIES"]`` times, ``RETRY_INTERVAL`` apart; organisers see
every email and its state in the admin (Post office › Emails).

Stored emails hold personal data: each is linked to its registration
(:class:`~registration.models.RegistrationEmail`) so that :func:`forget` can
delete them when the registration is erased; ``manage.py cleanup_mail``
removes old ones.
"""

import logging

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from post_office.models import PRIORITY, STATUS, Attachment, Email
from post_office.settings import get_retry_timedelta
from post_office.utils import create_attachments

from agenda.calendars import build_calendar
from agenda.models import SessionChange
from agenda.programme import load_life
from forum_site.site_url import site_url
from registration import summary, tokens
from registration.changes import notice_lines
from registration.models import RegistrationEmail
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
    if registration.is_erased or not registration.email:
        return
    if not registration.token:
        # A registration from before tokens were derived, or from before
        # SECRET_KEY changed: the site cannot rebuild its link, so it issues
        # a fresh one for this email (the old link stops working).
        registration.issue_token()
        registration.save(update_fields=["token_digest", "token_salt", "updated_at"])
    email = store(build_message(kind, registration, **extra), registration, kind)
    # robust: a mail server that is down must not turn a committed
    # registration into an error page; the email waits in the outbox.
    transaction.on_commit(lambda: deliver(email.pk), robust=True)


def store(message, registration, kind) -> Email:
    """Put ``message`` in the outbox, tied to ``registration``; nothing is sent yet.

    It is scheduled one retry interval ahead, so that ``send_queued_mail``
    leaves it alone while :func:`deliver` makes the first attempt, and sends it
    only if that attempt never happened (the process died after the commit).
    """
    # Built here rather than with post_office's mail.send(): that one renders
    # subject and bodies once more as Django templates, and a name containing
    # "{{" or "{%" would then be mangled or fail.
    email = Email(
        from_email=message.from_email,
        to=message.to,
        subject=message.subject,
        message=message.body,
        html_message=next(
            (content for content, mimetype in message.alternatives if mimetype == "text/html"),
            "",
        ),
        headers={"Reply-To": ", ".join(message.reply_to)} if message.reply_to else None,
        priority=PRIORITY.medium,
        status=STATUS.queued,
        scheduled_time=timezone.now() + get_retry_timedelta(),
    )
    email.save()
    RegistrationEmail.objects.create(registration=registration, email=email, kind=kind)
    if message.attachments:
        email.attachments.add(*create_attachments({
            filename: {"file": ContentFile(content), "mimetype": mimetype}
            for filename, content, mimetype in message.attachments
        }))
    return email


def deliver(email_id):
    """First attempt at sending a stored email (after commit); a failure leaves it queued."""
    email = Email.objects.filter(pk=email_id, status=STATUS.queued).first()
    if email is None:  # erased meanwhile, or already sent by the queue
        return
    # dispatch() marks the email sent or failed and logs the attempt.
    if email.dispatch() == STATUS.sent:
        logger.info("registration email %s sent", email_id)
        return
    # post_office treats a failed immediate send as final; put it back in the
    # queue so that send_queued_mail retries it.
    Email.objects.filter(pk=email_id, status=STATUS.failed).update(status=STATUS.requeued)
    logger.warning("registration email %s not sent; queued for retry", email_id)


def stored_emails(registration):
    """The outbox's emails for ``registration``, whatever their state."""
    return Email.objects.filter(pk__in=registration.emails.values("email_id"))


def forget(registration):
    """Delete the registration's stored emails, their attachments and delivery logs.

    Also blanks the names of admin log entries that point at them (an entry
    for an email is named after its recipient). Called inside :func:`erase`'s
    transaction.
    """
    emails = stored_emails(registration)
    email_ids = list(emails.values_list("pk", flat=True))
    attachments = list(Attachment.objects.filter(emails__in=email_ids).distinct())
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Email),
        object_id__in=[str(pk) for pk in email_ids],
    ).update(object_repr="", change_message="")
    emails.delete()  # logs go with them (on_delete=CASCADE)
    for attachment in attachments:
        if not attachment.emails.exists():
            file = attachment.file
            attachment.delete()
            # After the commit: a rolled-back erase must still find its files.
            transaction.on_commit(lambda file=file: file.delete(save=False), robust=True)


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
    base = site_url()
    context = {
        "registration": registration,
        "event": event,
        "summary": summary.summarise(registration),
        "site_url": base,
        "event_url": base + reverse("agenda:event", kwargs={"event": event.slug}),
        "privacy_url": base + reverse("registration:privacy", kwargs={"event": event.slug}),
        "register_url": base + reverse("registration:register", kwargs={"event": event.slug}),
        "contact_email": event.contact_email,
        "life": load_life(event),
        **summary.links(registration, base),
    }
    if kind == "confirmation_request":
        value = tokens.sign_confirmation(registration.public_id)
        context["confirm_url"] = base + reverse("registration:confirm", kwargs={"value": value})
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
