"""Email delivery through the outbox (django-post_office): a mail server that is
down loses neither the registration nor the email, and a retry sends it once.

The tests commit for real (``transaction=True``): emails leave after the
commit, and ``send_queued_mail`` closes the database connection between
batches, as a cron job may.
"""

import io
import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from post_office.models import STATUS, Email, Log

from registration import emails, services
from registration.models import Registration, RegistrationEmail
from tests.registration_support import details, form_data

REGISTER = "/en/events/zccf-2022/register/"
SENT = "/en/events/zccf-2022/register/sent/"
EMAIL_CHANGELIST = "/admin/post_office/email/"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingSMTPBackend(BaseEmailBackend):
    """A mail server that answers, then refuses to take the message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class UnreachableSMTPBackend(BaseEmailBackend):
    """A mail server nobody listens for."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def web(client):
    return client


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.test_email_delivery.RefusingSMTPBackend"
    return settings


@pytest.fixture
def staff_client(django_user_model):
    """An organiser who is staff (not superuser) and may only view emails."""
    from django.contrib.auth.models import Permission
    from django.test import Client

    user = django_user_model.objects.create_user("desk", password="x" * 20, is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_email",
                                                     content_type__app_label="post_office"))
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def send_queued_mail(tmp_path):
    # A lock file of the test's own: the default one sits in the shared /tmp.
    call_command("send_queued_mail", "--lockfile", str(tmp_path / "post_office"))


def after_retry_interval():
    """Move every stored email's schedule back, as if RETRY_INTERVAL had passed."""
    Email.objects.update(scheduled_time=F("scheduled_time") - timedelta(minutes=15, seconds=1))


def test_smtp_down_during_registration_keeps_registration_and_email(
    forum, web, smtp_down, staff_client, tmp_path
):
    response = web.post(REGISTER, form_data(forum, email="hanako@example.jp"))
    assert response.status_code == 302
    assert response["Location"] == SENT
    page = web.get(SENT)
    assert page.status_code == 200
    assert "<h1>Check your email</h1>" in page.content.decode()

    registration = Registration.objects.get()
    assert registration.email == "hanako@example.jp"
    assert registration.status == Registration.Status.PENDING
    assert mail.outbox == []
    email = Email.objects.get()
    assert email.to == ["hanako@example.jp"]
    assert email.status == STATUS.requeued
    assert list(registration.emails.values_list("email_id", "kind")) == [
        (email.pk, "confirmation_request")
    ]
    assert email.subject == "Confirm your registration for Zero Carbon City International Forum"
    assert list(Log.objects.values_list("status", "exception_type", "message")) == [
        (STATUS.failed, "SMTPServerDisconnected", "Connection unexpectedly closed")
    ]

    # Organisers see it, unsent, in the admin's list of emails.
    listing = staff_client.get(f"{EMAIL_CHANGELIST}?status__exact={STATUS.requeued}")
    assert listing.status_code == 200
    rows = _rows(listing.content.decode())
    assert rows == [
        [str(email.pk), "hanako@example.jp",
         "Confirm your registration for Zero Carbon City International Forum", "requeued"]
    ]

    # The server is back: the cron's retry sends it once, to the right address.
    smtp_down.EMAIL_BACKEND = LOCMEM
    send_queued_mail(tmp_path)
    assert mail.outbox == []  # not before the retry interval
    after_retry_interval()
    send_queued_mail(tmp_path)
    [sent] = mail.outbox
    assert sent.to == ["hanako@example.jp"]
    assert sent.subject == "Confirm your registration for Zero Carbon City International Forum"
    assert "/en/registration/confirm/" in sent.body
    assert Email.objects.get().status == STATUS.sent
    # Retried again (the cron runs every few minutes): no duplicate.
    after_retry_interval()
    send_queued_mail(tmp_path)
    send_queued_mail(tmp_path)
    assert len(mail.outbox) == 1
    assert _rows(staff_client.get(f"{EMAIL_CHANGELIST}?status__exact={STATUS.requeued}")
                 .content.decode()) == []


def _rows(html):
    """The changelist's rows as lists of cell texts (id, to, subject, status)."""
    if "<tbody>" not in html:  # an empty changelist has no table
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip()
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append(cells[1:5])  # after the action checkbox
    return rows


def test_an_unreachable_server_then_cron_sends_the_calendar_too(forum, settings, tmp_path):
    settings.EMAIL_BACKEND = "tests.test_email_delivery.UnreachableSMTPBackend"
    registration = services.register(forum, details(forum, email="ines@example.org"))
    services.confirm(_confirmation_value(registration))
    assert mail.outbox == []
    assert sorted(RegistrationEmail.objects.values_list("kind", "email__status")) == [
        ("confirmation_request", STATUS.requeued),
        ("outcome", STATUS.requeued),
    ]

    settings.EMAIL_BACKEND = LOCMEM
    after_retry_interval()
    send_queued_mail(tmp_path)
    assert sorted(message.subject for message in mail.outbox) == [
        "Confirm your registration for Zero Carbon City International Forum",
        "You are registered: Zero Carbon City International Forum",
    ]
    outcome = next(m for m in mail.outbox if m.subject.startswith("You are registered"))
    assert outcome.to == ["ines@example.org"]
    [(filename, content, mimetype)] = outcome.attachments
    assert (filename, mimetype) == ("zccf-2022-my-sessions.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in (content if isinstance(content, str) else content.decode())
    assert outcome.alternatives[0][1] == "text/html"


def _confirmation_value(registration):
    from registration import tokens

    return tokens.sign_confirmation(registration.pk)


def test_a_working_server_sends_at_once_and_the_cron_never_again(forum, web, tmp_path):
    web.post(REGISTER, form_data(forum))
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert Email.objects.get().status == STATUS.sent
    after_retry_interval()
    send_queued_mail(tmp_path)
    assert len(mail.outbox) == 1


def test_an_email_whose_first_attempt_never_ran_is_sent_by_the_cron(forum, tmp_path):
    # The process died between the commit and the first attempt: the
    # on-commit callback never ran, the email is in the outbox all the same.
    with mock.patch.object(emails, "deliver") as deliver:
        services.register(forum, details(forum))
    [call] = deliver.call_args_list
    assert Email.objects.get().status == STATUS.queued
    send_queued_mail(tmp_path)
    assert mail.outbox == []  # the first attempt has its retry interval
    after_retry_interval()
    send_queued_mail(tmp_path)
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    # A late first attempt finds the email sent and does not send it again.
    emails.deliver(*call.args)
    assert len(mail.outbox) == 1


def test_after_the_last_retry_the_email_stays_failed_and_organisers_can_requeue(
    forum, web, smtp_down, admin_client, tmp_path
):
    smtp_down.POST_OFFICE = {**smtp_down.POST_OFFICE, "MAX_RETRIES": 2}
    web.post(REGISTER, form_data(forum))
    for _ in range(3):
        after_retry_interval()
        send_queued_mail(tmp_path)
    email = Email.objects.get()
    assert (email.status, email.number_of_retries) == (STATUS.failed, 2)
    assert Log.objects.filter(status=STATUS.failed).count() == 4  # at once, then 3 by the cron
    rows = _rows(admin_client.get(f"{EMAIL_CHANGELIST}?status__exact={STATUS.failed}")
                 .content.decode())
    assert rows == [
        [str(email.pk), "hanako@example.jp",
         "Confirm your registration for Zero Carbon City International Forum", "failed"]
    ]

    smtp_down.EMAIL_BACKEND = LOCMEM
    admin_client.post(EMAIL_CHANGELIST, {"action": "requeue", "_selected_action": [email.pk]})
    send_queued_mail(tmp_path)
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]


def test_template_syntax_in_a_name_reaches_the_email_verbatim(forum, web):
    name = "{{ settings.SECRET_KEY }} {% now 'Y' %} Ngọc"
    web.post(REGISTER, form_data(forum, full_name=name))
    [message] = mail.outbox
    assert name in message.body
    assert "{{ settings.SECRET_KEY }} {% now &#x27;Y&#x27; %} Ngọc" in message.alternatives[0][0]


def test_the_first_schedule_is_one_retry_interval_ahead(forum):
    before = timezone.now()
    with mock.patch.object(emails, "deliver"):
        services.register(forum, details(forum))
    scheduled = Email.objects.get().scheduled_time
    assert before + timedelta(minutes=15) <= scheduled <= timezone.now() + timedelta(minutes=15)


def test_cleanup_mail_deletes_emails_older_than_the_retention_with_their_files(forum, settings):
    from post_office.models import Attachment

    registration = services.register(forum, details(forum, email="old@example.org"))
    services.confirm(_confirmation_value(registration))
    services.register(forum, details(forum, email="new@example.org"))
    assert Email.objects.count() == 3
    Email.objects.filter(to="old@example.org").update(
        created=timezone.now() - timedelta(days=settings.EMAIL_RETENTION_DAYS, seconds=1)
    )
    storage = Attachment._meta.get_field("file").storage  # as resolved at import
    [attachment] = Attachment.objects.all()
    assert storage.exists(attachment.file.name)

    call_command("cleanup_mail", "--days", str(settings.EMAIL_RETENTION_DAYS),
                 "--delete-attachments", stdout=io.StringIO())
    assert list(Email.objects.values_list("to", flat=True)) == [["new@example.org"]]
    assert Attachment.objects.count() == 0
    assert not storage.exists(attachment.file.name)
    assert RegistrationEmail.objects.count() == 1


def test_an_address_with_a_comma_is_refused_before_anything_is_stored(forum, web):
    # Legal inside quotes, but the outbox keeps recipients comma-separated:
    # it would be read back as '"a' and 'b"@example.org'.
    response = web.post(REGISTER, form_data(forum, email='"a,b"@example.org'))
    assert response.status_code == 400
    assert "Please use an email address without a comma." in response.content.decode()
    assert (Registration.objects.count(), Email.objects.count(), len(mail.outbox)) == (0, 0, 0)
