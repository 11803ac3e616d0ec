"""Registration emails: language, content, calendar, commit timing, SMTP, reminders."""

import email
import socket
from email import policy

import icalendar
import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import transaction

from registration import emails, services
from registration.models import Registration, ReminderSent
from registration.programme import personal_sessions
from tests.registration_support import (
    confirmation_path,
    details,
    form_data,
    outbox_to,
    sign_up,
)

REGISTER = "/en/events/zccf-2022/register/"


def test_outcome_email_lists_chosen_sessions_in_the_event_zones(forum, capture):
    sign_up(capture, forum)
    outcome = mail.outbox[-1]
    assert outcome.from_email == "Forum site <noreply@localhost>"
    # Sent from the outbox (django-post_office), which keeps Reply-To as a header.
    assert outcome.message()["Reply-To"] == "decarbozingcities@iges.or.jp"
    body = outcome.body
    session_one = (
        "* Parallel session 1: City-to-city collaboration: accelerating the decarbonisation "
        "domino\n"
        "  Thursday 10 March 2022, 07:10–08:00 EST\n"
        "  Thursday 10 March 2022, 21:10–22:00 JST\n"
        "  You have a seat.\n"
    )
    assert session_one in body
    assert (
        "* Parallel session 3: Pursuing resilient cities\n"
        "  Thursday 10 March 2022, 08:05–08:55 EST\n"
        "  Thursday 10 March 2022, 22:05–22:55 JST\n"
    ) in body
    # Day 1 in Tokyo is the next calendar day.
    assert (
        "* Opening remarks\n  Wednesday 9 March 2022, 20:00–20:10 EST\n"
        "  Thursday 10 March 2022, 10:00–10:10 JST"
    ) in body
    assert "Parallel session 2" not in body
    assert "Livestream link to follow" in body
    assert "Your interpretation channel: 日本語" in body
    html = outcome.alternatives[0][0]
    assert '<html lang="en">' in html
    assert "Thursday 10 March 2022, 07:10–08:00 EST<br>" in html


def test_the_attached_calendar_holds_exactly_the_persons_sessions(forum, capture):
    registration = sign_up(capture, forum)
    [(filename, content, mimetype)] = mail.outbox[-1].attachments
    assert (filename, mimetype) == ("zccf-2022-my-sessions.ics", "text/calendar")
    if isinstance(content, str):
        content = content.encode("utf-8")
    calendar = icalendar.Calendar.from_ical(content)
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    expected = {str(s.uuid) for s in personal_sessions(registration)}
    assert uids == expected
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert not any(s.startswith(("Parallel session 2", "Parallel session 4")) for s in summaries)
    assert len(uids) == 13  # 15 sessions less the two parallel ones not chosen


def test_email_in_japanese(forum, web):
    web.post(REGISTER, form_data(forum, language="ja"))
    [request] = mail.outbox
    assert "ゼロカーボンシティ国際フォーラム" in request.subject
    assert "/ja/registration/confirm/" in request.body
    web.post(confirmation_path(request))
    outcome = mail.outbox[1]
    assert "ゼロカーボンシティ国際フォーラム" in outcome.subject
    assert "2022年3月10日(木) 7:10〜8:00 EST" in outcome.body
    assert "2022年3月10日(木) 21:10〜22:00 JST" in outcome.body
    registration = Registration.objects.get()
    assert f"http://localhost:8000/ja/registration/{registration.token}/" in outcome.body
    assert '<html lang="ja">' in outcome.alternatives[0][0]
    calendar = icalendar.Calendar.from_ical(outcome.attachments[0][1])
    assert "ゼロカーボンシティ国際フォーラム" in str(calendar["X-WR-CALNAME"])


def test_email_in_vietnamese(forum, web):
    web.post(REGISTER, form_data(forum, language="vi"))
    web.post(confirmation_path(mail.outbox[0]))
    outcome = mail.outbox[1]
    assert "Diễn đàn Quốc tế Thành phố Zero Carbon" in outcome.subject
    assert "Thứ Năm, 10 tháng 3, 2022, 07:10–08:00 EST" in outcome.body
    assert '<html lang="vi">' in outcome.alternatives[0][0]


def test_changed_language_is_used_for_later_emails(forum, capture):
    registration = sign_up(capture, forum)
    services.update_preferences(registration, language="ja", channel="en")
    with capture(execute=True):
        services.resend_confirmation(Registration.objects.get())
    assert Registration.objects.get().channel == "en"
    assert "2022年3月10日(木) 7:10〜8:00 EST" in mail.outbox[-1].body


def test_nothing_is_sent_when_the_transaction_rolls_back(forum, capture):
    with capture(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.register(forum, details(forum))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert Registration.objects.count() == 0


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_mail_server_failure_keeps_the_registration(forum, web, settings, caplog):
    settings.EMAIL_BACKEND = "tests.test_registration_emails.BrokenBackend"
    response = web.post(REGISTER, form_data(forum))
    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert "mail server down" in caplog.text


def test_erased_registrations_get_no_queued_email(forum, capture):
    registration = sign_up(capture, forum, confirm=False)
    mail.outbox.clear()
    with capture(execute=True):
        emails.send_private_link(registration)
        services.erase(registration)
    assert mail.outbox == []


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on localhost, collecting what it receives."""
    from aiosmtpd.controller import Controller

    class Collector:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def test_emails_go_through_a_real_smtp_server(forum, web, settings, smtp_server):
    controller, handler = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False

    web.post(REGISTER, form_data(forum, full_name="Nguyễn Thị Hương", language="vi"))
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["hanako@example.jp"]
    assert envelope.mail_from == "noreply@localhost"
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    # The registrant's language: the event's Vietnamese name, encoded in the header.
    assert message["Subject"].strip().endswith("Diễn đàn Quốc tế Thành phố Zero Carbon")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Nguyễn Thị Hương" in text
    assert "Nguyễn Thị Hương" in html
    confirm = next(
        line.strip() for line in text.splitlines() if "/registration/confirm/" in line
    )
    web.post(confirm.removeprefix("http://localhost:8000"))

    outcome = email.message_from_bytes(handler.envelopes[1].original_content,
                                       policy=policy.default)
    [attachment] = list(outcome.iter_attachments())
    assert attachment.get_filename() == "zccf-2022-my-sessions.ics"
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    assert len(calendar.walk("VEVENT")) == 13


def test_send_reminders_sends_each_reminder_once(forum, capture):
    forum.capacity = 2
    forum.save()
    sign_up(capture, forum, email="a@example.org", language="ja")
    sign_up(capture, forum, email="b@example.org")
    sign_up(capture, forum, email="waiting@example.org")
    sign_up(capture, forum, email="pending@example.org", confirm=False)
    mail.outbox.clear()

    out = _reminders(capture, "--event", "zccf-2022", "--key", "day-before")
    assert out == "2 reminder(s) “day-before” sent for zccf-2022.\n"
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    [reminder] = outbox_to("b@example.org")
    assert reminder.subject == "Reminder: Zero Carbon City International Forum"
    assert "Thursday 10 March 2022, 07:10–08:00 EST" in reminder.body
    assert reminder.attachments[0][0] == "zccf-2022-my-sessions.ics"
    assert "ゼロカーボンシティ国際フォーラム" in outbox_to("a@example.org")[0].subject

    assert _reminders(capture, "--event", "zccf-2022", "--key", "day-before") == (
        "0 reminder(s) “day-before” sent for zccf-2022.\n"
    )
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.filter(key="day-before").count() == 2

    # Another named reminder goes out once more to each.
    _reminders(capture, "--event", "zccf-2022", "--key", "hour-before")
    assert len(mail.outbox) == 4


def _reminders(capture, *args):
    import io

    out = io.StringIO()
    with capture(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_send_reminders_unknown_event(db):
    with pytest.raises(CommandError, match="No event with the slug 'nope'"):
        call_command("send_reminders", "--event", "nope")
