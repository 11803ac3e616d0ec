"""Exports at scale: streamed CSV, Excel workbooks, flat query counts, synthetic registrations."""

import csv
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from post_office.models import Email

from agenda.models import Session
from registration import exports
from registration.models import Registration, SessionChoice
from tests.registration_support import sign_up

CHANGELIST = "/admin/registration/registration/"


def _generate(event, count):
    out = io.StringIO()
    call_command("generate_registrations", "--event", event.slug, "--count", str(count),
                 stdout=out)
    return out.getvalue()


def _export(admin_client, action, queryset):
    return admin_client.post(
        CHANGELIST, {"action": action, "_selected_action": list(queryset.values_list("pk",
                                                                                     flat=True))}
    )


def _queries_to_export(count):
    with CaptureQueriesContext(connection) as queries:
        lines = list(exports.csv_lines(exports.headers(),
                                       exports.rows(exports.export_queryset())))
    assert len(lines) == count + 1
    return len(queries)


def test_export_queries_do_not_grow_with_the_number_of_rows(forum, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 100)
    _generate(forum, 30)
    few = _queries_to_export(30)
    _generate(forum, 90)
    many = _queries_to_export(90)
    # One chunk: the registrations, their choices, the titles of their sessions.
    assert few == many == 3
    _generate(forum, 250)
    # Three chunks: the registrations in one query read a chunk at a time, their
    # choices once per chunk, session titles once (every later chunk names the
    # same sessions).
    assert _queries_to_export(250) == 1 + 3 + 1


def test_admin_csv_export_streams_and_matches_the_workbook(admin_client, forum):
    _generate(forum, 12)
    registrations = Registration.objects.order_by("created_at", "pk")
    response = _export(admin_client, "export_csv", registrations)
    assert response.status_code == 200
    assert response.streaming
    csv_rows = list(csv.reader(io.StringIO(
        b"".join(response.streaming_content).decode("utf-8-sig"))))

    response = _export(admin_client, "export_xlsx", registrations)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="registrations.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    xlsx_rows = [["" if cell is None else str(cell) for cell in row]
                 for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == "Registrations"
    assert len(xlsx_rows) == 13
    assert xlsx_rows == csv_rows
    first = registrations.first()
    assert xlsx_rows[1][:5] == [str(first.pk), "zccf-2022", "Awaiting email confirmation",
                                "Synthetic Person 0", "person0@synthetic.invalid"]


def test_workbook_cells_that_look_like_formulas_stay_text(forum):
    stream = io.BytesIO()
    exports.write_xlsx(["Full name"], [["=HYPERLINK(\"http://x\")"], ["Bad\x07bell"], [7]],
                       stream, title="People")
    sheet = load_workbook(stream).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        ("=HYPERLINK(\"http://x\")", "s"), ("Badbell", "s"), (7, "n"),
    ]


def test_export_command_writes_a_workbook_and_needs_a_file_for_it(forum, tmp_path):
    _generate(forum, 5)
    target = tmp_path / "forum.xlsx"
    err = io.StringIO()
    call_command("export_registrations", "--event", "zccf-2022", "--format", "xlsx",
                 "--output", str(target), stderr=err)
    assert err.getvalue() == f"Wrote 5 registration(s) to {target}.\n"
    sheet = load_workbook(target).active
    assert sheet.title == "zccf-2022"
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        f"Synthetic Person {n}" for n in range(5)
    ]
    with pytest.raises(CommandError, match=r"An Excel workbook needs --output FILE\.xlsx\."):
        call_command("export_registrations", "--event", "zccf-2022", "--format", "xlsx")


def test_generated_registrations_keep_the_seat_rules(forum):
    forum.capacity = 50
    forum.save()
    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=10)
    assert _generate(forum, 100) == "zccf-2022: 100 synthetic registration(s) added.\n"
    statuses = Registration.objects.filter(event=forum)
    assert {s: statuses.filter(status=s).count() for s in Registration.Status.values} == {
        "pending": 5, "cancelled": 5, "confirmed": 50, "waitlisted": 40,
    }
    first = SessionChoice.objects.filter(session__slug="parallel-session-1")
    assert first.filter(status="confirmed").count() == 10
    assert first.filter(status="waitlisted").count() > 0
    slots = Session.objects.filter(event=forum, kind=Session.Kind.PARALLEL).values("start")
    per_registration = len({row["start"] for row in slots})
    assert SessionChoice.objects.count() == 100 * per_registration
    assert mail.outbox == [] and Email.objects.count() == 0


def test_a_second_run_replaces_only_synthetic_registrations(
    forum, django_capture_on_commit_callbacks
):
    sign_up(django_capture_on_commit_callbacks, forum, email="hanako@example.jp",
            full_name="山田 花子", language="ja")
    _generate(forum, 20)
    assert _generate(forum, 7) == (
        "zccf-2022: 7 synthetic registration(s) added (an earlier run's removed).\n"
    )
    assert sorted(Registration.objects.values_list("email", flat=True))[-1] == (
        "person6@synthetic.invalid"
    )
    assert Registration.objects.count() == 8
    assert Registration.objects.filter(email="hanako@example.jp").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--event", "nope"], "No event with the slug 'nope'."),
        (["--event", "zccf-2022", "--count", "0"], "--count must be between 1 and 1000000."),
    ],
)
def test_generate_refuses_bad_arguments(forum, arguments, message):
    with pytest.raises(CommandError) as error:
        call_command("generate_registrations", *arguments)
    assert str(error.value) == message
    assert Registration.objects.count() == 0


def test_the_admin_sends_big_workbooks_to_csv_or_the_command(admin_client, forum,
                                                               monkeypatch):
    monkeypatch.setattr(exports, "XLSX_ADMIN_LIMIT", 10)
    _generate(forum, 11)
    response = _export(admin_client, "export_xlsx", Registration.objects.all())
    assert response.status_code == 302
    page = admin_client.get(CHANGELIST)
    assert [str(message) for message in page.context["messages"]] == [
        "11 registrations are too many for a workbook built while you wait (at most 10). "
        "Export them as CSV, which Excel opens too, or ask for a workbook from the command "
        "line: manage.py export_registrations --format xlsx."
    ]
