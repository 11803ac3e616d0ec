"""No registrant's name, address or private link in any log line.

Every record of every logger, at DEBUG, is captured through a whole life of a
registration (sign up, confirm, change choices and preferences, cancel, erase,
and the dead link visited afterwards), then checked twice: the record itself
(its message and every attribute passed with ``extra=``) and the line each of
the site's formatters writes from it.
"""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from forum_site.logging import JSONFormatter, RequestIdFilter, TextFormatter
from registration.models import Registration
from tests.registration_support import (
    choice_data,
    confirmation_path,
    form_data,
    manage_path,
)

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Zqxlogname Trần Thị Thu"
EMAIL = "zqxlogmail@example.org"
ORGANISATION = "Zqxlogorg"


@pytest.fixture
def every_record(caplog):
    """caplog at DEBUG on every logger, including those that do not propagate."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled
        if caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


def written_lines(records):
    """Each record as the site writes it, in JSON and in the laptop's text format."""
    text = TextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    stamp = RequestIdFilter()
    for record in records:
        stamp.filter(record)
        yield JSONFormatter().format(record)
        yield text.format(record)


def raw_texts(record):
    yield record.getMessage()
    for name, value in vars(record).items():
        if name not in ("msg", "args", "message", "request") and isinstance(value, str):
            yield value


def test_a_whole_registration_leaves_nothing_personal_in_the_logs(forum, client, every_record):
    data = form_data(forum, full_name=NAME, email=EMAIL, organisation=ORGANISATION,
                     language="vi")
    assert client.post("/vi/events/zccf-2022/register/", data).status_code == 302
    confirm = confirmation_path(mail.outbox[0])
    assert client.get(confirm).status_code == 200
    assert client.post(confirm).status_code == 302
    manage = manage_path(mail.outbox[1])
    token = Registration.objects.get().token
    assert client.get(manage).status_code == 200
    assert client.get(f"/registration/{token}/calendar.ics").status_code == 200
    choices = choice_data(forum, ("parallel-session-2", "parallel-session-4"))
    assert client.post(manage + "choices/", choices).status_code == 302
    assert client.post(manage + "preferences/", {"language": "en", "channel": "en"}
                       ).status_code == 302
    assert client.post(manage + "cancel/").status_code == 302
    assert client.post("/en/registration/link/", {"email": EMAIL}).status_code == 302
    first_token = token
    manage = manage_path(mail.outbox[-1])  # a fresh link; the old one is dead
    token = manage.rstrip("/").rsplit("/", 1)[1]
    assert client.post(manage + "erase/").status_code == 302
    assert client.get(manage).status_code == 404  # the dead link, logged as Not Found

    records = every_record.records
    # The capture works: the access lines and the email deliveries are there.
    assert sum(r.name == "forum_site.access" for r in records) == 11
    # Sent: the confirmation link, the outcome, the cancellation, the fresh link.
    assert sum(r.name == "registration.emails" for r in records) == 4
    assert any(r.name == "django.request" and r.getMessage().startswith("Not Found:")
               for r in records)

    secrets = [token, first_token, confirm.rstrip("/").rsplit("/", 1)[1]]
    personal = [NAME, "zqxlogname", "trần thị thu", EMAIL, "zqxlogmail", "zqxlogorg"]
    lines = list(written_lines(records))
    assert [line for line in lines if any(s.lower() in line.lower()
                                          for s in personal + secrets)] == []
    # Names and addresses are never even passed to a logger; only Django's
    # "Not Found: <path>" carries a (dead) token, cut out when written.
    raw = [text for record in records for text in raw_texts(record)]
    assert [text for text in raw if any(s.lower() in text.lower() for s in personal)] == []
    assert [text for text in raw if any(s in text for s in secrets)] == [
        f"Not Found: {manage}"
    ]


class RefusingRecipientBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {address: (550, b"5.1.1 User unknown") for m in messages for address in m.to}
        )


def test_a_refused_recipient_is_not_written_to_the_logs(forum, client, settings, every_record):
    settings.EMAIL_BACKEND = "tests.test_log_privacy.RefusingRecipientBackend"
    client.post("/en/events/zccf-2022/register/", form_data(forum, email=EMAIL))
    failure = next(r for r in every_record.records if r.getMessage() == "Failed to send email")
    assert failure.exc_info[0] is smtplib.SMTPRecipientsRefused
    json_line, text_line = written_lines([failure])
    assert "SMTPRecipientsRefused: {'[email]': (550, b'5.1.1 User unknown')}" in json_line
    assert EMAIL not in json_line
    assert EMAIL not in text_line
