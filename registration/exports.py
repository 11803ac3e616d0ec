"""Registrations as CSV or Excel workbooks, for organisers' spreadsheets.

CSV is UTF-8 with a byte-order mark and CRLF line ends: without the BOM,
Excel reads UTF-8 as the local code page and turns 山田 or Nguyễn into
mojibake. Cells that a spreadsheet would run as a formula (starting with
= + - @) are prefixed with an apostrophe in CSV and written as plain text in
workbooks, since names and organisations are typed by anyone.

Exports are written row by row, a chunk of registrations (with their choices)
fetched at a time: the memory they take does not grow with the number of
registrations, and a web download starts sending at once.
"""

import csv
import tempfile
from collections import defaultdict
from datetime import UTC
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from agenda.models import Session
from forum_site import downloads
from registration.models import Registration, Sector, SessionChoice

BOM = "\ufeff"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Registrations fetched (with their choices) per query while exporting.
CHUNK_SIZE = 2000
# A workbook cannot be streamed and openpyxl writes about 4,000 rows a second:
# the admin builds workbooks up to this size (a few seconds), well inside the
# server's 30-second timeout; the command has no limit.
XLSX_ADMIN_LIMIT = 20_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _when(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def headers() -> list[str]:
    return [
        _("ID"), _("Event"), _("Status"), _("Full name"), _("Email address"),
        _("Organisation"), _("Position"), _("Country code"), _("Country"), _("Sector"),
        _("Language for emails"), _("Listening channel"), _("Parallel sessions"),
        _("May be contacted about future events"), _("Registered"), _("Seat requested"),
        _("Seat given"), _("Cancelled"),
    ]


def _labels(choices) -> dict:
    # Looked up once per export: get_FOO_display() translates the label again
    # for every row, which is most of the time of a big export.
    return {value: str(label) for value, label in choices}


_COLUMNS = [
    "pk", "event__slug", "status", "full_name", "email", "organisation", "position",
    "country", "sector", "language", "channel", "future_contact", "created_at",
    "seat_requested_at", "confirmed_at", "cancelled_at",
]


def rows(registrations):
    """One list of cells per registration, :data:`CHUNK_SIZE` registrations per query.

    Plain values rather than model instances, and the choices of a whole chunk
    in one more query: the time per row stays small and the memory flat.
    """
    statuses = _labels(Registration.Status.choices)
    sectors = _labels(Sector.choices)
    choice_statuses = _labels(SessionChoice.Status.choices)
    titles = {}
    country_names = {}
    values = registrations.values_list(*_COLUMNS).iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(values, CHUNK_SIZE)):
        chosen = defaultdict(list)
        for registration_id, session_id, status in SessionChoice.objects.filter(
            registration_id__in=[row[0] for row in chunk]
        ).values_list("registration_id", "session_id", "status"):
            chosen[registration_id].append((session_id, status))
        missing = {session_id for pairs in chosen.values() for session_id, _ in pairs}
        for session in Session.objects.filter(pk__in=missing - titles.keys()):
            titles[session.pk] = str(session.title)
        for (pk, event, status, full_name, email, organisation, position, country, sector,
             language, channel, future_contact, created, requested, confirmed,
             cancelled) in chunk:
            if country not in country_names:
                country_names[country] = str(countries.name(country)) if country else ""
            yield [
                pk, event, statuses.get(status, status), full_name, email, organisation,
                position, country, country_names[country], sectors.get(sector, sector),
                language, channel,
                "; ".join(
                    f"{titles[session_id]} [{choice_statuses[choice_status]}]"
                    for session_id, choice_status in chosen[pk]
                ),
                _("yes") if future_contact else _("no"),
                _when(created), _when(requested), _when(confirmed), _when(cancelled),
            ]


def export_queryset(queryset=None):
    """The registrations to export, in the order they are written."""
    queryset = Registration.objects.all() if queryset is None else queryset
    return queryset.order_by("event__slug", "created_at", "pk")


class _Line:
    """A file-like object whose ``write`` hands back what the csv writer wrote."""

    def write(self, text):
        return text


def csv_lines(header, table_rows, *, bom=True):
    """Any table (registrations, the dashboard's) as CSV text, one line at a time.

    BOM first, CRLF line ends, formula-safe cells.
    """
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield (BOM if bom else "") + writer.writerow([_safe(cell) for cell in header])
    for row in table_rows:
        yield writer.writerow([_safe(cell) for cell in row])


def write_csv(registrations, stream, *, bom=True):
    """Write ``registrations`` as CSV to the text stream ``stream``."""
    write_table(headers(), rows(registrations), stream, bom=bom)


def write_table(header, table_rows, stream, *, bom=True):
    """Write any table as CSV to the text stream ``stream``."""
    for line in csv_lines(header, table_rows, bom=bom):
        stream.write(line)


def csv_download(header, table_rows, filename):
    """A CSV attachment streamed to the browser as its rows are written."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, table_rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = downloads.attachment(filename)
    return response


def _text_cell(sheet, value):
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl would store "=…" as a formula; organisers' data is only text.
    cell.data_type = "s"
    return cell


def write_xlsx(header, table_rows, stream, *, title):
    """Write any table as an Excel workbook to the binary ``stream``.

    openpyxl's write-only mode keeps one row in memory at a time. Cells are
    text, never formulas; the header row stays in view when scrolling.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, cell) for cell in header])
    for row in table_rows:
        sheet.append([
            cell if isinstance(cell, int | float) and not isinstance(cell, bool)
            else _text_cell(sheet, cell)
            for cell in row
        ])
    workbook.save(stream)


def xlsx_download(header, table_rows, filename, *, title):
    """An Excel workbook attachment, written to a temporary file then sent from it.

    A zip archive cannot be sent before it is complete; the temporary file
    keeps the memory flat while it is written.
    """
    stream = tempfile.TemporaryFile()
    write_xlsx(header, table_rows, stream, title=title)
    stream.seek(0)
    return FileResponse(
        stream, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
