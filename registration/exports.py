"""Registrations as CSV, for organisers' spreadsheets.

UTF-8 with a byte-order mark and CRLF line ends: without the BOM, Excel reads
UTF-8 as the local code page and turns 山田 or Nguyễn into mojibake. Cells
that a spreadsheet would run as a formula (starting with = + - @) are
prefixed with an apostrophe, since names and organisations are typed by
anyone.
"""

import csv
from datetime import UTC

from django.utils.translation import gettext as _

from registration.models import Registration

BOM = "\ufeff"
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


def rows(registrations):
    """One list of cells per registration (choices prefetched when possible)."""
    for registration in registrations:
        choices = "; ".join(
            f"{choice.session.title} [{choice.get_status_display()}]"
            for choice in registration.choices.all()
        )
        yield [
            registration.pk,
            registration.event.slug,
            registration.get_status_display(),
            registration.full_name,
            registration.email,
            registration.organisation,
            registration.position,
            registration.country.code or "",
            registration.country.name or "",
            registration.get_sector_display(),
            registration.language,
            registration.channel,
            choices,
            _("yes") if registration.future_contact else _("no"),
            _when(registration.created_at),
            _when(registration.seat_requested_at),
            _when(registration.confirmed_at),
            _when(registration.cancelled_at),
        ]


def export_queryset(queryset=None):
    """The registrations to export, with what the rows need fetched up front."""
    queryset = Registration.objects.all() if queryset is None else queryset
    return queryset.select_related("event").prefetch_related("choices__session").order_by(
        "event__slug", "created_at", "pk"
    )


def write_csv(registrations, stream, *, bom=True):
    """Write ``registrations`` as CSV to the text stream ``stream``."""
    write_table(headers(), rows(registrations), stream, bom=bom)


def write_table(header, table_rows, stream, *, bom=True):
    """Write any table (the dashboard's too) as CSV: BOM, CRLF, formula-safe cells."""
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([_safe(cell) for cell in header])
    for row in table_rows:
        writer.writerow([_safe(cell) for cell in row])
