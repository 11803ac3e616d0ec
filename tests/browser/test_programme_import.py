"""Journey: an organiser exports the programme, edits it, previews the import, then confirms."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from agenda import programme_export
from agenda.models import Session, SessionChange

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple 42"


def test_organiser_previews_and_confirms_an_import(page, forum, tmp_path):
    get_user_model().objects.create_superuser("organiser", "organiser@example.org", PASSWORD)
    page.goto("/admin/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")

    page.goto(f"/admin/agenda/event/{forum.pk}/change/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export programme (CSV)").click()
    exported = tmp_path / "exported.csv"
    download.value.save_as(exported)
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    for row in rows:
        if row["slug"] == "closing-remarks-day-2":
            row["start"], row["end"] = "2022-03-10 09:20", "2022-03-10 09:25"
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=programme_export.COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)

    page.get_by_role("link", name="Import programme").click()
    page.get_by_label("Programme file").set_input_files(str(edited))
    page.get_by_role("button", name="Preview").click()
    page.locator("#import-preview").wait_for()  # the preview page has loaded
    assert "0 to create, 1 to change, 14 left as they are." in page.content()
    changed = page.locator("tr.import-change")
    assert changed.count() == 1
    assert changed.inner_text().split("\t") == [
        "16", "closing-remarks-day-2 – Closing remarks", "Changed: start, end",
    ]
    assert SessionChange.objects.count() == 0  # nothing saved by the preview

    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"**/admin/agenda/event/{forum.pk}/change/")
    assert page.locator(".messagelist .success").inner_text() == (
        "Programme imported: 0 created, 1 changed, 14 left as they were."
    )
    session = Session.objects.get(slug="closing-remarks-day-2")
    assert session.start == datetime(2022, 3, 10, 14, 20, tzinfo=UTC)
    assert SessionChange.objects.get().session == session
