"""Reminders before an event: ``send_reminders --before``, once per person, bad windows refused."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import Session
from registration.models import ReminderSent
from tests.factories import make_event
from tests.registration_support import outbox_to, sign_up

pytestmark = pytest.mark.django_db

# The forum's first session: 20:00 EST on 9 March 2022.
FORUM_START = datetime(2022, 3, 10, 1, 0, tzinfo=UTC)
# Điện Biên has no sessions yet: its first day, 12 January 2024, from midnight in Vietnam.
DIEN_BIEN_START = datetime(2024, 1, 11, 17, 0, tzinfo=UTC)


@pytest.fixture
def now(monkeypatch):
    """Set the clock: ``now(moment)``."""

    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.fixture
def registrants(forum, capture):
    people = [
        sign_up(capture, forum, email="en@example.org"),
        sign_up(capture, forum, email="ja@example.org", language="ja",
                choices=("parallel-session-2", "parallel-session-4")),
        sign_up(capture, forum, email="pending@example.org", confirm=False),
    ]
    mail.outbox.clear()
    return people


def remind(capture, *args):
    out = io.StringIO()
    with capture(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_within_the_window_each_confirmed_registrant_gets_it_once(
    forum, registrants, capture, now
):
    now(FORUM_START - timedelta(hours=23))
    assert remind(capture, "--event", "zccf-2022", "--before", "24h") == (
        "2 reminder(s) “before-24h” sent for zccf-2022.\n"
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["en@example.org", "ja@example.org"]
    assert sorted(ReminderSent.objects.values_list("key", flat=True)) == [
        "before-24h", "before-24h"
    ]
    # Cron runs it again an hour later: nobody gets it twice.
    now(FORUM_START - timedelta(hours=22))
    assert remind(capture, "--event", "zccf-2022", "--before", "24h") == (
        "0 reminder(s) “before-24h” sent for zccf-2022.\n"
    )
    assert len(mail.outbox) == 2
    # A shorter window is another reminder.
    now(FORUM_START - timedelta(minutes=80))
    assert remind(capture, "--event", "zccf-2022", "--before", "90m") == (
        "2 reminder(s) “before-90m” sent for zccf-2022.\n"
    )
    assert len(mail.outbox) == 4


def test_before_the_window_nothing_is_sent(forum, registrants, capture, now):
    now(FORUM_START - timedelta(hours=24, seconds=1))
    assert remind(capture, "--event", "zccf-2022", "--before", "24h") == (
        "Not time yet: zccf-2022 starts at 2022-03-10T01:00:00+00:00, more than 24h from now; "
        "nothing sent.\n"
    )
    assert (mail.outbox, ReminderSent.objects.count()) == ([], 0)


def test_the_window_includes_its_edge(forum, registrants, capture, now):
    now(FORUM_START - timedelta(days=2))
    assert remind(capture, "--event", "zccf-2022", "--before", "2d") == (
        "2 reminder(s) “before-2d” sent for zccf-2022.\n"
    )


@pytest.mark.parametrize("after", [timedelta(0), timedelta(minutes=1), timedelta(days=30)])
def test_once_the_event_has_started_nothing_is_sent(forum, registrants, capture, now, after):
    now(FORUM_START + after)
    assert remind(capture, "--event", "zccf-2022", "--before", "24h") == (
        "zccf-2022 started at 2022-03-10T01:00:00+00:00: too late for reminders; nothing sent.\n"
    )
    assert mail.outbox == []


def test_a_cancelled_first_session_does_not_count(forum, registrants, capture, now):
    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    opening.status = Session.Status.CANCELLED
    agenda_services.save_session(opening)
    # The framing session, ten minutes later, is now the first: 55 minutes away.
    now(FORUM_START + timedelta(minutes=10) - timedelta(minutes=55))
    assert remind(capture, "--event", "zccf-2022", "--before", "1h") == (
        "2 reminder(s) “before-1h” sent for zccf-2022.\n"
    )


def test_an_event_without_sessions_counts_from_its_first_day(dien_bien, capture, now):
    registration = sign_up(capture, dien_bien, email="lan@example.vn", language="vi",
                           choices=())
    assert registration.status == "confirmed"
    mail.outbox.clear()
    now(DIEN_BIEN_START - timedelta(hours=25))
    assert remind(capture, "--event", "dien-bien-2024", "--before", "24h") == (
        "Not time yet: dien-bien-2024 starts at 2024-01-12T00:00:00+07:00, more than 24h from "
        "now; nothing sent.\n"
    )
    now(DIEN_BIEN_START - timedelta(hours=23))
    assert remind(capture, "--event", "dien-bien-2024", "--before", "24h") == (
        "1 reminder(s) “before-24h” sent for dien-bien-2024.\n"
    )
    [reminder] = mail.outbox
    # In person: the venue, and no livestream.
    assert [line for line in reminder.body.splitlines() if line.startswith("Địa điểm")] == [
        "Địa điểm: Tỉnh Điện Biên, Việt Nam"
    ]
    assert "Livestream" not in reminder.body


def test_the_reminder_gives_the_livestream_and_the_persons_sessions(
    forum, registrants, capture, now
):
    forum.livestream_url = "https://www.youtube.com/live/forum"
    forum.save()
    now(FORUM_START - timedelta(hours=3))
    remind(capture, "--event", "zccf-2022", "--before", "24h")
    [reminder] = outbox_to("en@example.org")
    body = reminder.body
    assert [line for line in body.splitlines() if line.startswith("Livestream")] == [
        "Livestream (YouTube): https://www.youtube.com/live/forum"
    ]
    programme = [line.strip() for line in body.split("Your programme\n", 1)[1].splitlines()
                 if line.strip()]
    assert programme[:3] == [
        "* Opening remarks",
        "Wednesday 9 March 2022, 20:00–20:10 EST",
        "Thursday 10 March 2022, 10:00–10:10 JST",
    ]
    titles = [line[2:] for line in body.split("Your programme\n", 1)[1].splitlines()
              if line.startswith("* ")]
    assert [t for t in titles if t.startswith("Parallel")] == [
        "Parallel session 1: City-to-city collaboration: accelerating the decarbonisation domino",
        "Parallel session 3: Pursuing resilient cities",
    ]
    assert reminder.attachments[0][0] == "zccf-2022-my-sessions.ics"


def test_an_explicit_key_wins_over_the_window_name(forum, registrants, capture, now):
    now(FORUM_START - timedelta(hours=3))
    assert remind(capture, "--event", "zccf-2022", "--before", "24h", "--key", "day-before") == (
        "2 reminder(s) “day-before” sent for zccf-2022.\n"
    )


@pytest.mark.parametrize(("written", "key"), [("024H", "before-24h"), (" 90m ", "before-90m"),
                                              ("1D", "before-1d")])
def test_the_window_is_named_the_same_way_however_it_is_written(
    forum, registrants, capture, now, written, key
):
    now(FORUM_START - timedelta(minutes=30))
    assert remind(capture, "--event", "zccf-2022", "--before", written) == (
        f"2 reminder(s) “{key}” sent for zccf-2022.\n"
    )


def test_without_before_it_sends_at_once_as_before(forum, registrants, capture, now):
    now(FORUM_START - timedelta(days=200))
    assert remind(capture, "--event", "zccf-2022") == (
        "2 reminder(s) “reminder” sent for zccf-2022.\n"
    )


@pytest.mark.parametrize("window", ["", "24", "h", "24x", "-1h", "0h", "0m", "1.5h", "24 h",
                                    "1w", "24hours", "1e3h", "２４h", "1234567h"])
def test_bad_windows_are_refused_and_nothing_is_sent(forum, registrants, capture, now, window):
    now(FORUM_START - timedelta(hours=1))
    with pytest.raises(CommandError) as error:
        remind(capture, "--event", "zccf-2022", f"--before={window}")
    assert str(error.value) == (
        f"--before {window!r} is not a window: write a whole number followed by m, h or d, "
        "e.g. 90m, 24h or 2d."
    )
    assert (mail.outbox, ReminderSent.objects.count()) == ([], 0)


@pytest.mark.parametrize("window", ["367d", "9000h", "999999m"])
def test_windows_longer_than_a_year_are_refused(forum, registrants, capture, now, window):
    with pytest.raises(CommandError) as error:
        remind(capture, "--event", "zccf-2022", "--before", window)
    assert str(error.value) == f"--before {window!r} is longer than a year."
    assert mail.outbox == []


def test_an_event_without_days_has_nothing_to_remind_of(db, capture):
    make_event("no-days-yet")
    with pytest.raises(CommandError) as error:
        remind(capture, "--event", "no-days-yet", "--before", "24h")
    assert str(error.value) == "no-days-yet has no days yet: there is nothing to remind of."


def test_unknown_event_with_a_window(db, capture):
    with pytest.raises(CommandError) as error:
        remind(capture, "--event", "nope", "--before", "24h")
    assert str(error.value) == "No event with the slug 'nope'."
