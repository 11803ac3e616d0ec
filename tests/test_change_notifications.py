"""Change notices: the people whose sessions changed are told once per change, in their language."""

import io
import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from agenda import services as agenda_services
from agenda.models import Event, Session, SessionChange
from registration import notices, services, tokens
from registration.models import ChangeNotice, Registration
from tests.factories import make_day, make_event, make_session
from tests.registration_support import outbox_to, sign_up

pytestmark = pytest.mark.django_db

EN_SUBJECT = "Programme changes: Zero Carbon City International Forum"
SESSION_1_MOVED = """\
* Session 1: Net-zero transition: how cities move towards zero carbon
  http://localhost:8000/en/events/zccf-2022/sessions/session-1/
  Rescheduled.
  Before:
    Wednesday 9 March 2022, 20:20–21:00 EST
    Thursday 10 March 2022, 10:20–11:00 JST
  Now:
    Wednesday 9 March 2022, 20:30–21:10 EST
    Thursday 10 March 2022, 10:30–11:10 JST
"""
PARALLEL_1_CANCELLED = """\
* Parallel session 1: City-to-city collaboration: accelerating the decarbonisation domino
  http://localhost:8000/en/events/zccf-2022/sessions/parallel-session-1/
  Cancelled. It was planned for:
    Thursday 10 March 2022, 07:10–08:00 EST
    Thursday 10 March 2022, 21:10–22:00 JST
"""


@pytest.fixture
def clock(monkeypatch):
    """A clock one minute further on at every reading: every step happens after the last."""
    ticks = itertools.count()
    start = datetime(2022, 2, 1, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=next(ticks)))


@pytest.fixture
def people(forum, capture, clock):
    """Registrants of the forum in every state; three seats, so the fourth one waits."""
    forum.capacity = 3
    forum.save()
    other_choices = ("parallel-session-2", "parallel-session-4")
    registrations = {
        "en": sign_up(capture, forum, email="en@example.org"),
        "ja": sign_up(capture, forum, email="ja@example.org", language="ja",
                      choices=other_choices),
        "vi": sign_up(capture, forum, email="vi@example.org", language="vi"),
        "waiting": sign_up(capture, forum, email="waiting@example.org"),
        "pending": sign_up(capture, forum, email="pending@example.org", confirm=False),
    }
    with capture(execute=True):
        registrations["cancelled"] = services.cancel(
            sign_up(capture, forum, email="cancelled@example.org", choices=other_choices)
        )
        registrations["erased"] = services.erase(
            sign_up(capture, forum, email="erased@example.org"), promote=False
        )
    assert {key: r.status for key, r in registrations.items()} == {
        "en": "confirmed", "ja": "confirmed", "vi": "confirmed", "waiting": "waitlisted",
        "pending": "pending", "cancelled": "cancelled", "erased": "cancelled",
    }
    mail.outbox.clear()
    return registrations


def session(forum, slug):
    return Session.objects.get(event=forum, slug=slug)


def move(forum, slug, minutes):
    moved = session(forum, slug)
    moved.start += timedelta(minutes=minutes)
    moved.end += timedelta(minutes=minutes)
    return agenda_services.save_session(moved)


def set_status(forum, slug, status):
    changed = session(forum, slug)
    changed.status = status
    return agenda_services.save_session(changed)


def notify(capture, event):
    with capture(execute=True):
        return notices.notify_changes(event)


def changes_in(body):
    """The part of a change notice that lists the changes."""
    start = body.index("registered for:\n") + len("registered for:\n")
    return body[start:body.index("\nEvery change to the programme")].lstrip("\n")


def titles_in(body):
    """The sessions a change notice lists (its "* " lines), whatever its language."""
    return [line[2:] for line in body.splitlines() if line.startswith("* ")]


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def subject_in(language, event_name):
    with translation.override(language):
        return gettext("Programme changes: %(event)s") % {"event": event_name}


def test_each_affected_registrant_gets_one_email_listing_their_changes(forum, people, capture):
    set_status(forum, "parallel-session-1", Session.Status.CANCELLED)
    move(forum, "session-1", 10)

    assert notify(capture, forum) == 4
    assert recipients() == [
        "en@example.org", "ja@example.org", "vi@example.org", "waiting@example.org"
    ]
    [english] = outbox_to("en@example.org")
    assert english.subject == EN_SUBJECT
    assert changes_in(english.body) == SESSION_1_MOVED + "\n" + PARALLEL_1_CANCELLED
    assert english.attachments[0][0] == "zccf-2022-my-sessions.ics"
    assert "Your personal calendar feed already shows these changes" in english.body
    manage = f"http://localhost:8000/en/registration/{people['en'].token}/"
    assert english.body.split("erase your data):\n", 1)[1].splitlines()[0] == manage
    html = english.alternatives[0][0]
    assert ('<ul><li>Wednesday 9 March 2022, 20:30–21:10 EST</li>'
            '<li>Thursday 10 March 2022, 10:30–11:10 JST</li></ul>') in html

    # Someone waiting for a seat hears of the changes too, without a calendar to update.
    [waiting] = outbox_to("waiting@example.org")
    assert changes_in(waiting.body) == SESSION_1_MOVED + "\n" + PARALLEL_1_CANCELLED
    assert "calendar" not in waiting.body
    assert waiting.attachments == []


def test_emails_are_in_the_registrants_language(forum, people, capture):
    move(forum, "session-1", 10)
    notify(capture, forum)
    [japanese] = outbox_to("ja@example.org")
    [vietnamese] = outbox_to("vi@example.org")
    assert japanese.subject == subject_in("ja", "ゼロカーボンシティ国際フォーラム")
    assert vietnamese.subject == subject_in("vi", "Diễn đàn Quốc tế Thành phố Zero Carbon")
    assert len({japanese.subject, vietnamese.subject, EN_SUBJECT}) == 3
    assert titles_in(japanese.body) == [
        "セッション1：ネットゼロへの移行 ― 都市はいかにゼロカーボンへ向かうか"
    ]
    assert [line.strip() for line in japanese.body.splitlines() if "EST" in line or "JST" in line] \
        == [
        "2022年3月9日(水) 20:20〜21:00 EST",
        "2022年3月10日(木) 10:20〜11:00 JST",
        "2022年3月9日(水) 20:30〜21:10 EST",
        "2022年3月10日(木) 10:30〜11:10 JST",
    ]
    assert "/ja/events/zccf-2022/sessions/session-1/" in japanese.body
    assert titles_in(vietnamese.body) == [
        "Phiên 1: Chuyển đổi thuần không: cách các thành phố tiến tới không carbon"
    ]


def test_people_without_the_changed_session_get_nothing(forum, people, capture):
    set_status(forum, "parallel-session-4", Session.Status.CANCELLED)
    assert notify(capture, forum) == 1
    assert recipients() == ["ja@example.org"]
    assert titles_in(mail.outbox[0].body) == [
        "分科会4：ゼロカーボンの都市開発（脱炭素まちづくり）"
    ]
    assert list(ChangeNotice.objects.values_list("registration__email", "change__session__slug")) \
        == [("ja@example.org", "parallel-session-4")]


def test_running_again_sends_nothing_twice_and_a_later_change_goes_alone(forum, people, capture):
    move(forum, "session-1", 10)
    assert notify(capture, forum) == 4
    assert notify(capture, forum) == 0
    assert len(mail.outbox) == 4
    assert ChangeNotice.objects.count() == 4

    mail.outbox.clear()
    set_status(forum, "parallel-session-1", Session.Status.CANCELLED)
    assert notify(capture, forum) == 3
    assert recipients() == ["en@example.org", "vi@example.org", "waiting@example.org"]
    assert changes_in(outbox_to("en@example.org")[0].body) == PARALLEL_1_CANCELLED
    assert ChangeNotice.objects.count() == 7


def test_a_restored_session_is_announced_as_back(forum, people, capture):
    set_status(forum, "parallel-session-1", Session.Status.CANCELLED)
    notify(capture, forum)
    mail.outbox.clear()
    set_status(forum, "parallel-session-1", Session.Status.SCHEDULED)
    assert notify(capture, forum) == 3
    assert changes_in(outbox_to("en@example.org")[0].body) == """\
* Parallel session 1: City-to-city collaboration: accelerating the decarbonisation domino
  http://localhost:8000/en/events/zccf-2022/sessions/parallel-session-1/
  Back on the programme.
  When:
    Thursday 10 March 2022, 07:10–08:00 EST
    Thursday 10 March 2022, 21:10–22:00 JST
"""


def test_a_session_moved_twice_is_told_once_with_its_first_and_latest_times(
    forum, people, capture
):
    move(forum, "session-1", 5)
    move(forum, "session-1", 5)
    assert notify(capture, forum) == 4
    assert changes_in(outbox_to("en@example.org")[0].body) == SESSION_1_MOVED
    assert ChangeNotice.objects.filter(registration=people["en"]).count() == 2


def test_a_change_undone_before_anyone_was_told_sends_nothing_and_is_not_told_later(
    forum, people, capture
):
    move(forum, "session-1", 10)
    move(forum, "session-1", -10)
    assert notify(capture, forum) == 0
    assert mail.outbox == []
    # Both changes are settled for everyone concerned: nothing comes up later.
    assert ChangeNotice.objects.count() == 8
    assert notify(capture, forum) == 0


def test_registrants_who_confirmed_after_a_change_are_not_told_of_it(forum, people, capture):
    move(forum, "session-1", 10)
    # Their confirmation email showed the new time already.
    newcomer = sign_up(capture, forum, email="late@example.org")
    mail.outbox.clear()
    assert newcomer.status == Registration.Status.WAITLISTED
    assert notify(capture, forum) == 4
    assert "late@example.org" not in recipients()

    mail.outbox.clear()
    move(forum, "session-2", 5)
    assert notify(capture, forum) == 5
    assert "late@example.org" in recipients()


def test_an_event_without_changes_sends_nothing(dien_bien, people, capture):
    move(Event.objects.get(slug="zccf-2022"), "session-1", 10)
    assert notify(capture, dien_bien) == 0
    assert mail.outbox == []


def test_a_change_is_recorded_as_told_at_most_once_per_person(forum, people):
    change = move(forum, "session-1", 10)
    ChangeNotice.objects.create(registration=people["en"], change=change)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeNotice.objects.create(registration=people["en"], change=change)


def test_nothing_is_recorded_when_the_transaction_rolls_back(forum, people, capture):
    move(forum, "session-1", 10)
    with capture(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notices.notify_changes(forum)
        raise RuntimeError("boom")
    assert (ChangeNotice.objects.count(), mail.outbox) == (0, [])
    assert notify(capture, forum) == 4


def run_command(capture, *args):
    out = io.StringIO()
    with capture(execute=True):
        call_command("notify_changes", *args, stdout=out)
    return out.getvalue()


def test_the_command_says_how_many_were_sent(forum, people, capture):
    move(forum, "session-1", 10)
    assert run_command(capture, "--event", "zccf-2022") == (
        "4 change notice(s) sent for zccf-2022.\n"
    )
    assert run_command(capture, "--event", "zccf-2022") == (
        "0 change notice(s) sent for zccf-2022.\n"
    )
    assert len(mail.outbox) == 4


@pytest.mark.parametrize("slug", ["nope", "", "ZCCF-2022", "zccf-2022 "])
def test_the_command_refuses_an_unknown_event(db, slug):
    with pytest.raises(CommandError) as error:
        call_command("notify_changes", "--event", slug)
    assert str(error.value) == f"No event with the slug {slug!r}."
    assert SessionChange.objects.count() == 0


def test_the_command_needs_an_event(db):
    with pytest.raises(CommandError) as error:
        call_command("notify_changes")
    assert str(error.value) == "Error: the following arguments are required: --event"


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("chief", "c@example.org", "pw-Chief-2022")
    client.force_login(user)
    return client


def test_the_admin_action_on_events_notifies_and_reports_the_count(
    forum, people, capture, admin_client
):
    move(forum, "session-1", 10)
    url = reverse("admin:agenda_event_changelist")
    data = {"action": "notify_changes", "_selected_action": [str(forum.pk)]}
    with capture(execute=True):
        response = admin_client.post(url, data, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "4 registrants were emailed about programme changes."
    ]
    assert len(mail.outbox) == 4
    with capture(execute=True):
        again = admin_client.post(url, data, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "No registrant has unannounced changes; no email sent."
    ]
    assert len(mail.outbox) == 4


def test_the_admin_action_on_the_changes_list_notifies_their_events(
    forum, people, capture, admin_client
):
    change = move(forum, "session-1", 10)
    url = reverse("admin:agenda_sessionchange_changelist")
    data = {"action": "notify_changes", "_selected_action": [str(change.pk)]}
    with capture(execute=True):
        response = admin_client.post(url, data, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "4 registrants were emailed about programme changes."
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_time_tell_each_person_once(mailoutbox):
    """Six runs released together (PostgreSQL: real row locks, real connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (set DATABASE_URL)")
    event = make_event("rush-of-notices")
    keynote = make_session(make_day(event, 1), datetime(2022, 3, 9, 10, 0), slug="keynote")
    for number in range(20):
        registration = services.register(event, services.Details(
            full_name=f"参加者 {number}", email=f"person{number}@example.org", sector="other",
        ))
        services.confirm(tokens.sign_confirmation(registration.pk))
    keynote.start += timedelta(minutes=30)
    keynote.end += timedelta(minutes=30)
    agenda_services.save_session(keynote)
    mailoutbox.clear()

    barrier = threading.Barrier(6)
    results, errors = [], []

    def run():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results.append(notices.notify_changes(event))
        except Exception as error:  # collected: the test asserts there are none
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results) == [0, 0, 0, 0, 0, 20]
    assert len(mailoutbox) == 20
    assert ChangeNotice.objects.count() == 20


def test_a_session_moved_and_cancelled_at_once_is_told_as_cancelled_at_its_old_time(
    forum, people, capture
):
    changed = session(forum, "session-1")
    changed.start += timedelta(minutes=10)
    changed.end += timedelta(minutes=10)
    changed.status = Session.Status.CANCELLED
    agenda_services.save_session(changed)
    assert notify(capture, forum) == 4
    assert changes_in(outbox_to("en@example.org")[0].body) == """\
* Session 1: Net-zero transition: how cities move towards zero carbon
  http://localhost:8000/en/events/zccf-2022/sessions/session-1/
  Cancelled. It was planned for:
    Wednesday 9 March 2022, 20:20–21:00 EST
    Thursday 10 March 2022, 10:20–11:00 JST
"""


def test_a_session_restored_at_another_time_is_told_with_both_times(forum, people, capture):
    set_status(forum, "session-1", Session.Status.CANCELLED)
    notify(capture, forum)
    mail.outbox.clear()
    restored = session(forum, "session-1")
    restored.start += timedelta(minutes=10)
    restored.end += timedelta(minutes=10)
    restored.status = Session.Status.SCHEDULED
    agenda_services.save_session(restored)
    assert notify(capture, forum) == 4
    assert changes_in(outbox_to("en@example.org")[0].body) == SESSION_1_MOVED.replace(
        "Rescheduled.", "Back on the programme."
    )
