"""An event's programme as a file organisers edit: CSV, XLSX, or our schedule.json.

One row per session, in the columns of ``COLUMNS`` (README, "Programme
import and export"; docs/programme-example.csv). Times are written
``YYYY-MM-DD HH:MM`` in the event's reference zone, as organisers type them
in the admin; ``speakers`` lists speaker slugs with their roles in order
(``yamaguchi-tsuyoshi:speaker; tanaka-aiko:moderator``). What is exported
imports back unchanged (agenda/programme_import.py).

CSV is UTF-8 with a byte-order mark (without it Excel reads 山田 as mojibake)
and CRLF line ends. Cells are written as they are: session texts are the
organisers' own, and the file must import back exactly. XLSX is written with
openpyxl, every cell a string, so that a spreadsheet does not turn times into
its own date numbers.
"""

import csv
import io

from django.db.models import Prefetch
from django.utils import translation

from agenda import schedule_json
from agenda.models import Event, Session, SessionSpeaker

COLUMNS = [
    "slug", "day", "start", "end", "kind", "track", "status", "capacity",
    "title_en", "title_ja", "title_vi", "description_en", "description_ja", "description_vi",
    "speakers",
]
TIME_FORMAT = "%Y-%m-%d %H:%M"
BOM = "\ufeff"
FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def _sessions(event: Event):
    return (
        Session.objects.filter(event=event)
        .select_related("day", "event")
        .prefetch_related(
            Prefetch(
                "session_speakers",
                queryset=SessionSpeaker.objects.select_related("speaker").order_by("order", "id"),
            )
        )
        .order_by("start", "track", "id")
    )


def speakers_cell(links) -> str:
    """``slug:role; slug:role`` for a session's speaker links, in order."""
    return "; ".join(f"{link.speaker.slug}:{link.role}" for link in links)


def session_row(session: Session) -> dict[str, str]:
    """One session as the file's cells (all strings; empty for nothing)."""
    zone = session.event.reference_zone
    return {
        "slug": session.slug,
        "day": str(session.day.number),
        "start": session.start.astimezone(zone).strftime(TIME_FORMAT),
        "end": session.end.astimezone(zone).strftime(TIME_FORMAT),
        "kind": session.kind,
        "track": session.track_en or "",
        "status": session.status,
        "capacity": "" if session.capacity is None else str(session.capacity),
        "title_en": session.title_en or "",
        "title_ja": session.title_ja or "",
        "title_vi": session.title_vi or "",
        "description_en": session.description_en or "",
        "description_ja": session.description_ja or "",
        "description_vi": session.description_vi or "",
        "speakers": speakers_cell(session.session_speakers.all()),
    }


def rows(event: Event) -> list[dict[str, str]]:
    """Every session of ``event`` (cancelled ones too), in programme order."""
    return [session_row(session) for session in _sessions(event)]


def to_csv(event: Event) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(event))
    return buffer.getvalue().encode("utf-8")


def to_xlsx(event: Event) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "programme"
    sheet.append(COLUMNS)
    for row in rows(event):
        sheet.append([row[column] for column in COLUMNS])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_json(event: Event, language: str = "en") -> bytes:
    """The same document as ``/events/<event>/schedule.json`` (frab), in ``language``."""
    import json

    days = list(event.days.order_by("number"))
    with translation.override(language):
        document = schedule_json.build_schedule(
            event, days, _sessions(event), language=language, version="export"
        )
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def export(event: Event, file_format: str) -> bytes:
    """The programme of ``event`` as ``csv``, ``xlsx`` or ``json`` bytes."""
    writers = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}
    return writers[file_format](event)
