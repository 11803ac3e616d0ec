"""Organisers: registration lists, filters, seat counts, actions, CSV export, commands."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from agenda.models import Session
from registration.models import Registration
from tests.registration_support import sign_up

CHANGELIST = "/admin/registration/registration/"


@pytest.fixture
def people(forum, capture):
    """Three confirmed forum registrants and one waiting (capacity 3)."""
    forum.capacity = 3
    forum.save()
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(capture, forum, email="hanako@example.jp", full_name="山田 花子", language="ja")
    sign_up(capture, forum, email="an@example.vn", full_name="Nguyễn Văn An", country="VN",
            sector="research", language="vi", channel="en")
    sign_up(capture, forum, email="eq@example.org", full_name="=HYPERLINK(\"http://x\")",
            country="US", sector="business",
            choices=("parallel-session-2", "parallel-session-4"))
    sign_up(capture, forum, email="late@example.org", full_name="Late Comer", country="FR")
    mail.outbox.clear()
    return {r.email: r for r in Registration.objects.all()}


def _names(response):
    return sorted(r.full_name for r in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["=HYPERLINK(\"http://x\")", "Late Comer", "Nguyễn Văn An", "山田 花子"]),
        ("status__exact=waitlisted", ["Late Comer"]),
        ("sector__exact=research", ["Nguyễn Văn An"]),
        ("country=VN", ["Nguyễn Văn An"]),
        ("language__exact=ja", ["山田 花子"]),
        ("channel=en", ["Nguyễn Văn An"]),
        ("channel=ja", ["=HYPERLINK(\"http://x\")", "Late Comer", "山田 花子"]),
        ("channel=-", []),
        ("q=山田", ["山田 花子"]),
        ("q=example.vn", ["Nguyễn Văn An"]),
    ],
)
def test_changelist_filters_and_search(admin_client, people, query, expected):
    response = admin_client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert _names(response) == expected


def test_filter_by_parallel_session(admin_client, people, forum):
    session = Session.objects.get(event=forum, slug="parallel-session-2")
    response = admin_client.get(f"{CHANGELIST}?session={session.pk}")
    assert _names(response) == ["=HYPERLINK(\"http://x\")"]
    response = admin_client.get(f"{CHANGELIST}?event__id__exact={forum.pk}")
    assert f"?event__id__exact={forum.pk}&amp;session={session.pk}" in response.content.decode()


def test_change_page_shows_no_private_link_and_status_read_only(admin_client, people):
    registration = people["hanako@example.jp"]
    response = admin_client.get(f"{CHANGELIST}{registration.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert registration.token not in html  # tests/test_private_tokens.py: never shown
    assert registration.token_digest not in html
    assert 'name="token' not in html
    assert 'name="status"' not in html
    assert 'name="full_name"' in html
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403


def test_seat_counts_against_capacity(admin_client, people, forum):
    response = admin_client.get(f"{CHANGELIST}seats/")
    assert response.status_code == 200
    [forum_counts] = [e for e in response.context["events"] if e["event"] == forum]
    event = forum_counts["event"]
    assert (event.capacity, event.confirmed, event.free, event.waitlisted, event.pending) == (
        3, 3, 0, 1, 0
    )
    seats = {s.slug: (s.capacity, s.taken, s.free, s.waiting)
             for s in forum_counts["sessions"]}
    assert seats == {
        "parallel-session-1": (1, 1, 0, 1),
        "parallel-session-2": (None, 1, None, 0),
        "parallel-session-3": (None, 2, None, 0),
        "parallel-session-4": (None, 1, None, 0),
    }
    assert "Seats per event and session" in admin_client.get(CHANGELIST).content.decode()


def _action(admin_client, action, registrations, capture):
    with capture(execute=True):
        return admin_client.post(
            CHANGELIST,
            {"action": action, "_selected_action": [r.pk for r in registrations]},
        )


def test_action_cancel_promotes_the_waiting(admin_client, people, capture):
    response = _action(admin_client, "cancel_registrations", [people["an@example.vn"]], capture)
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses["an@example.vn"] == "cancelled"
    assert statuses["late@example.org"] == "confirmed"
    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.vn", "late@example.org"]


def test_action_resend_confirmation(admin_client, people, capture, forum):
    pending = sign_up(capture, forum, email="p@example.org", confirm=False)
    mail.outbox.clear()
    _action(admin_client, "resend_confirmation", [people["hanako@example.jp"], pending], capture)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["p@example.org"] == (
        "Confirm your registration for Zero Carbon City International Forum"
    )
    assert "ゼロカーボンシティ国際フォーラム" in subjects["hanako@example.jp"]


def test_action_promote_selected_overrides_capacity(admin_client, people, capture):
    _action(admin_client, "promote_selected", [people["late@example.org"]], capture)
    assert Registration.objects.get(email="late@example.org").status == "confirmed"
    assert Registration.objects.filter(status="confirmed").count() == 4
    assert [m.to for m in mail.outbox] == [["late@example.org"]]


def test_action_fill_free_seats_after_raising_capacity(admin_client, people, capture, forum):
    forum.capacity = 4
    forum.save()
    response = _action(admin_client, "fill_free_seats", [people["hanako@example.jp"]], capture)
    assert response.status_code == 302
    assert Registration.objects.get(email="late@example.org").status == "confirmed"
    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    assert "1 registration gained a seat." in admin_client.get(CHANGELIST).content.decode()


def test_csv_export_action_opens_in_excel(admin_client, people):
    response = admin_client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [r.pk for r in people.values()]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="registrations.csv"'
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["ID", "Event", "Status", "Full name", "Email address"]
    names = [row[3] for row in rows[1:]]
    assert names == ["山田 花子", "Nguyễn Văn An", "'=HYPERLINK(\"http://x\")", "Late Comer"]
    hanako = rows[1]
    assert hanako[7:13] == [
        "JP", "Japan", "Local government", "ja", "ja",
        "Parallel session 1: City-to-city collaboration: accelerating the decarbonisation "
        "domino [Confirmed]; Parallel session 3: Pursuing resilient cities [Confirmed]",
    ]
    assert body.count(b"\r\n") == 5


def test_export_command_to_stdout_and_file(people, tmp_path):
    out = io.StringIO()
    call_command("export_registrations", "--event", "zccf-2022", stdout=out)
    text = out.getvalue()
    assert text.startswith("\ufeffID,Event,Status,")
    assert "山田 花子" in text and "Nguyễn Văn An" in text

    target = tmp_path / "forum.csv"
    call_command("export_registrations", "--event", "zccf-2022", "--output", str(target),
                 "--status", "waitlisted", stderr=io.StringIO())
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["Late Comer"]

    with pytest.raises(CommandError, match="No event with the slug 'nope'"):
        call_command("export_registrations", "--event", "nope")


@time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC))
def test_purge_erases_registrations_of_events_long_over(people, settings):
    settings.REGISTRATION_RETENTION_MONTHS = 12
    out = io.StringIO()
    call_command("purge_registrations", "--dry-run", stdout=out)
    assert "4 registration(s) would be erased." in out.getvalue()
    assert Registration.objects.filter(erased_at__isnull=True).count() == 4

    call_command("purge_registrations", stdout=io.StringIO())
    assert Registration.objects.filter(erased_at__isnull=True).count() == 0
    assert set(Registration.objects.values_list("full_name", "email")) == {("", "")}
    assert Registration.objects.filter(sector="research").count() == 1
    assert mail.outbox == []  # nobody is promoted after the event
