"""Programme import and export: CSV, XLSX, schedule.json; all or nothing, through save_session."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from agenda import editions, programme_export, programme_import
from agenda.models import Session, SessionChange, Speaker
from registration import notices as registration_notices
from registration.models import ChangeNotice
from tests.registration_support import sign_up

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "programme-example.csv"


def _csv_rows(content: bytes):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _csv_bytes(rows):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=programme_export.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _state(event):
    return list(event.sessions.order_by("slug").values_list(
        "slug", "start", "end", "status", "sequence", "updated_at", "title_ja", "capacity"))


def test_the_csv_export_has_the_documented_columns_and_reference_zone_times(forum):
    rows = _csv_rows(programme_export.to_csv(forum))
    assert list(rows[0]) == programme_export.COLUMNS
    assert len(rows) == 15
    assert rows[0] == {
        "slug": "opening-remarks-day-1", "day": "1", "start": "2022-03-09 20:00",
        "end": "2022-03-09 20:10", "kind": "opening", "track": "", "status": "scheduled",
        "capacity": "", "title_en": "Opening remarks", "title_ja": "開会挨拶",
        "title_vi": "Phát biểu khai mạc",
        "description_en": rows[0]["description_en"], "description_ja": rows[0]["description_ja"],
        "description_vi": rows[0]["description_vi"],
        "speakers": "yamaguchi-tsuyoshi:speaker",
    }
    assert rows[0]["description_en"].startswith("Opening remarks by YAMAGUCHI Tsuyoshi")
    day_2 = [row for row in rows if row["slug"] == "opening-remarks-day-2"][0]
    assert (day_2["day"], day_2["start"]) == ("2", "2022-03-10 07:00")


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_an_unchanged_export_imports_back_changing_nothing(forum, file_format):
    content = programme_export.export(forum, file_format)
    before = _state(forum)
    plan = programme_import.apply_import(forum, content)
    assert (len(plan.created), len(plan.changed), plan.errors) == (0, 0, [])
    # schedule.json leaves out cancelled sessions; the forum has none.
    assert len(plan.unchanged) == 15
    assert _state(forum) == before
    assert SessionChange.objects.count() == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_round_trip_keeps_every_field(forum, file_format):
    session = forum.sessions.get(slug="parallel-session-1")
    session.capacity = 120
    session.status = Session.Status.CANCELLED
    session.save()
    exported = programme_export.export(forum, file_format)
    copy = editions.copy_event(forum, slug="zccf-copy", start_date=dt.date(2022, 3, 9))
    copy.sessions.all().delete()
    plan = programme_import.apply_import(copy, exported)
    assert len(plan.created) == 15
    assert programme_export.rows(copy) == programme_export.rows(forum)


def test_xlsx_cells_a_spreadsheet_typed_as_dates_and_numbers_still_read(forum):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(programme_export.to_xlsx(forum)))
    sheet = workbook.active
    sheet["C2"] = dt.datetime(2022, 3, 9, 20, 0)  # what Excel makes of a typed time
    sheet["D2"] = dt.datetime(2022, 3, 9, 20, 5)
    sheet["B2"] = 1.0
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = programme_import.apply_import(forum, buffer.getvalue())
    assert [(row.slug, row.changed) for row in plan.changed] == [
        ("opening-remarks-day-1", ["end"])
    ]
    assert forum.sessions.get(slug="opening-remarks-day-1").end == dt.datetime(
        2022, 3, 10, 1, 5, tzinfo=dt.UTC
    )


@pytest.fixture
def upcoming(forum):
    """A published copy of the forum next year, open for registration, with registrants."""
    return editions.copy_event(forum, slug="zccf-next", start_date=dt.date.today().replace(
        year=dt.date.today().year + 1, month=3, day=9), published=True, registration_open=True)


def test_a_moved_row_is_one_change_and_one_notice_per_registrant(
    upcoming, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    people = [sign_up(capture, upcoming, email=f"p{n}@example.org",
                      choices=("parallel-session-1", "parallel-session-3"))
              for n in range(3)]
    rows = _csv_rows(programme_export.to_csv(upcoming))
    for row in rows:
        if row["slug"] == "closing-remarks-day-2":  # 09:10–09:15, the last of the day
            start = dt.datetime.strptime(row["start"], "%Y-%m-%d %H:%M")
            row["start"] = (start + dt.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M")
            row["end"] = (start + dt.timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M")
    sequence = upcoming.sessions.get(slug="closing-remarks-day-2").sequence
    plan = programme_import.apply_import(upcoming, _csv_bytes(rows))
    assert [(row.slug, row.changed) for row in plan.changed] == [
        ("closing-remarks-day-2", ["start", "end"])
    ]
    assert SessionChange.objects.filter(session__event=upcoming).count() == 1
    change = SessionChange.objects.get()
    assert (change.kind, change.new_start - change.old_start) == (
        "rescheduled", dt.timedelta(minutes=10)
    )
    assert upcoming.sessions.get(slug="closing-remarks-day-2").sequence == sequence + 1
    mail.outbox.clear()
    with capture(execute=True):
        sent = registration_notices.notify_changes(upcoming)
    assert sent == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        person.email for person in people
    ]
    assert ChangeNotice.objects.count() == 3


def test_new_rows_create_sessions_with_their_speakers(forum):
    Speaker.objects.create(slug="tanaka-aiko", name="Tanaka Aiko")
    rows = _csv_rows(programme_export.to_csv(forum))
    rows.append({**{column: "" for column in programme_export.COLUMNS},
                 "slug": "evening-networking", "day": "2", "start": "2022-03-10 10:30",
                 "end": "2022-03-10 11:30", "kind": "networking", "track": "Lounge",
                 "status": "scheduled", "capacity": "40", "title_en": "Networking",
                 "title_ja": "交流会",
                 "speakers": "tanaka-aiko:moderator; yamaguchi-tsuyoshi"})
    plan = programme_import.apply_import(forum, _csv_bytes(rows))
    assert [row.slug for row in plan.created] == ["evening-networking"]
    session = Session.objects.get(slug="evening-networking")
    assert (session.kind, session.track_en, session.capacity, session.title_ja,
            session.sequence) == ("networking", "Lounge", 40, "交流会", 0)
    assert session.start == dt.datetime(2022, 3, 10, 15, 30, tzinfo=dt.UTC)
    assert [(link.speaker.slug, link.role) for link in session.session_speakers.all()] == [
        ("tanaka-aiko", "moderator"), ("yamaguchi-tsuyoshi", "speaker")
    ]
    assert SessionChange.objects.count() == 0


def _broken_file(forum):
    rows = _csv_rows(programme_export.to_csv(forum))
    edits = {
        "framing-session": {"day": "7"},                                     # line 3
        "session-1": {"end": "2022-03-09 20:00"},                           # line 4: ends first
        "break-day-1": {"start": "2022-03-09 20:50"},                       # line 5: overlap
        "session-2": {"speakers": "nobody-known:speaker"},                  # line 6
        "closing-remarks-day-1": {"start": "9 March 22:05"},                # line 7
        "opening-remarks-day-2": {"kind": "lecture", "capacity": "many"},   # line 8
    }
    for row in rows:
        row.update(edits.get(row["slug"], {}))
    return _csv_bytes(rows)


BROKEN_MESSAGES = [
    "Line 3: unknown day “7” (the event has days 1, 2).",
    "Line 4: the session must end after it starts.",
    "Line 6: unknown speaker “nobody-known”.",
    "Line 7: bad start time “9 March 22:05”: write YYYY-MM-DD HH:MM.",
    "Line 8: unknown kind “lecture” (one of opening, framing, plenary, parallel, break, "
    "closing_plenary, closing, talk, keynote, panel, workshop, networking, other).",
    "Line 8: bad capacity “many”: a whole number, or empty for no limit.",
]


def test_a_broken_file_changes_nothing_and_reports_every_bad_line(forum):
    before = programme_export.to_csv(forum)
    with pytest.raises(programme_import.ImportRefused) as refused:
        programme_import.apply_import(forum, _broken_file(forum))
    assert refused.value.plan.error_messages == BROKEN_MESSAGES
    assert programme_export.to_csv(forum) == before
    assert SessionChange.objects.count() == 0


def test_overlaps_on_a_track_are_reported_on_both_lines(forum):
    rows = _csv_rows(programme_export.to_csv(forum))
    for row in rows:
        if row["slug"] == "break-day-1":
            row["start"] = "2022-03-09 20:50"
    plan = programme_import.plan_import(forum, _csv_bytes(rows))
    assert plan.error_messages == [
        "Line 4: overlaps “Break” on the main programme.",
        "Line 5: overlaps “Session 1: Net-zero transition: how cities move towards zero "
        "carbon” on the main programme.",
    ]


def test_the_command_reports_every_bad_line_and_imports_nothing(forum, tmp_path, capsys):
    path = tmp_path / "broken.csv"
    path.write_bytes(_broken_file(forum))
    with pytest.raises(CommandError) as raised:
        call_command("import_programme", "zccf-2022", str(path))
    assert str(raised.value) == f"{path}: 6 problem(s) found; nothing was imported."
    assert capsys.readouterr().err.splitlines() == BROKEN_MESSAGES


def test_export_then_dry_run_then_import_from_the_command_line(forum, tmp_path, capsys):
    path = tmp_path / "programme.xlsx"
    call_command("export_programme", "zccf-2022", "--format", "xlsx", "--output", str(path))
    assert capsys.readouterr().err == f"Wrote 15 session(s) of zccf-2022 to {path} (xlsx).\n"
    call_command("import_programme", "zccf-2022", str(path), "--dry-run")
    assert capsys.readouterr().out == (
        "0 session(s) would be created, 0 changed, 15 left as they were (xlsx, zccf-2022). "
        "Dry run: nothing was changed.\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"slug,day\r\nx,1\r\n",
         "Line 1: missing columns: start, end, kind, track, status, capacity, title_en, "
         "title_ja, title_vi, description_en, description_ja, description_vi, speakers. The "
         "columns are: slug, day, start, end, kind, track, status, capacity, title_en, "
         "title_ja, title_vi, description_en, description_ja, description_vi, speakers."),
        (b"\xff\xfe\x00broken", "The file is not UTF-8 text: save it as CSV UTF-8."),
        (b"PK\x03\x04 not really a workbook", "The file is not a readable XLSX workbook."),
        (b'{"not": "frab"}', "The file is not a schedule.json document (frab format)."),
        (b"", "The file is empty."),
    ],
)
def test_unreadable_files_get_one_clear_message(forum, tmp_path, content, message):
    path = tmp_path / "bad.file"
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        call_command("import_programme", "zccf-2022", str(path))
    assert str(raised.value) == f"{path}: {message} Nothing was imported."


def test_the_sites_own_schedule_json_imports_a_move(client, forum):
    document = client.get("/events/zccf-2022/schedule.json?lang=ja").json()
    rooms = document["schedule"]["conference"]["days"][0]["rooms"]
    item = next(i for items in rooms.values() for i in items
                if i["url"].endswith("/sessions/closing-remarks-day-1/"))
    item["date"] = "2022-03-09T22:15:00-05:00"  # was 22:05, the last of the day
    plan = programme_import.apply_import(
        forum, json.dumps(document, ensure_ascii=False).encode()
    )
    assert [(row.slug, row.changed) for row in plan.changed] == [
        ("closing-remarks-day-1", ["start", "end"])
    ]
    assert len(plan.unchanged) == 14
    assert forum.sessions.get(slug="closing-remarks-day-1").start == dt.datetime(
        2022, 3, 10, 3, 15, tzinfo=dt.UTC
    )
    assert SessionChange.objects.count() == 1


def test_the_example_file_in_docs_imports_into_the_forum(forum):
    plan = programme_import.plan_import(forum, EXAMPLE.read_bytes())
    assert plan.errors == []
    assert [row.slug for row in plan.created] == ["networking-reception"]


@pytest.fixture
def organiser_client(client):
    user = get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    client.force_login(user)
    return client


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_the_admin_export_buttons(organiser_client, forum, file_format):
    page = organiser_client.get(reverse("admin:agenda_event_change", args=[forum.pk]))
    url = reverse("admin:agenda_event_export_programme", args=[forum.pk, file_format])
    assert f'href="{url}"' in page.content.decode()
    response = organiser_client.get(url)
    assert response["Content-Disposition"] == (
        f'attachment; filename="zccf-2022-programme.{file_format}"'
    )
    if file_format == "xlsx":
        # An XLSX is a zip stamped with the second it was written: compare the cells.
        assert _xlsx_cells(response.content) == _xlsx_cells(programme_export.to_xlsx(forum))
    else:
        assert response.content == programme_export.export(forum, file_format)


def _xlsx_cells(content):
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(io.BytesIO(content)).active.values]


def test_an_unknown_export_format_is_404(organiser_client, forum):
    url = reverse("admin:agenda_event_export_programme", args=[forum.pk, "pdf"])
    assert organiser_client.get(url).status_code == 404


def test_the_admin_import_previews_then_imports_on_confirmation(organiser_client, forum):
    rows = _csv_rows(programme_export.to_csv(forum))
    rows[0]["title_en"] = "Welcome"
    url = reverse("admin:agenda_event_import_programme", args=[forum.pk])
    preview = organiser_client.post(url, {"file": SimpleUploadedFile("p.csv", _csv_bytes(rows))})
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [(row.slug, row.action, row.changed) for row in plan.changed] == [
        ("opening-remarks-day-1", "change", ["title_en"])
    ]
    assert "1 to create" not in preview.content.decode()
    assert "0 to create, 1 to change, 14 left as they are." in preview.content.decode()
    assert Session.objects.get(slug="opening-remarks-day-1").title_en == "Opening remarks"

    done = organiser_client.post(url, {"confirm": "1"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "Programme imported: 0 created, 1 changed, 14 left as they were."
    ]
    assert Session.objects.get(slug="opening-remarks-day-1").title_en == "Welcome"


def test_the_admin_import_lists_every_bad_line_and_offers_no_confirmation(organiser_client,
                                                                        forum):
    url = reverse("admin:agenda_event_import_programme", args=[forum.pk])
    response = organiser_client.post(
        url, {"file": SimpleUploadedFile("broken.csv", _broken_file(forum))}
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in BROKEN_MESSAGES:
        assert f"<li>{message}</li>" in page.replace("&ldquo;", "“")
    assert 'name="confirm"' not in page
    assert organiser_client.post(url, {"confirm": "1"}).status_code == 400


def test_staff_without_session_permissions_cannot_import(client, forum):
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("aiko", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_event",
                                                                      "change_event"]))
    client.force_login(user)
    url = reverse("admin:agenda_event_import_programme", args=[forum.pk])
    assert client.get(url).status_code == 403


def test_a_schedule_json_person_unknown_here_is_a_bad_row(client, forum):
    document = client.get("/events/zccf-2022/schedule.json").json()
    item = document["schedule"]["conference"]["days"][0]["rooms"]["Main programme"][0]
    item["persons"][0]["name"] = "Someone Else"
    plan = programme_import.plan_import(forum, json.dumps(document).encode())
    assert plan.error_messages == ["Line 1: unknown speaker “Someone Else”."]


def test_the_import_page_asks_for_a_file(organiser_client, forum):
    response = organiser_client.get(
        reverse("admin:agenda_event_import_programme", args=[forum.pk])
    )
    assert response.status_code == 200
    assert list(response.context["form"].fields) == ["file"]
    assert response.context["plan"] is None
    assert 'enctype="multipart/form-data"' in response.content.decode()
