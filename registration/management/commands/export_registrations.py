"""Write an event's registrations as CSV (UTF-8 with BOM, for Excel) or as a workbook."""

from django.core.management.base import BaseCommand, CommandError

from registration import exports
from registration.management.event_option import add_event_argument, event_named
from registration.models import Registration


class Command(BaseCommand):
    help = (
        "Export the registrations of an event as CSV (to stdout or to --output) or as an "
        "Excel workbook (--format xlsx, to --output)."
    )

    def add_arguments(self, parser):
        add_event_argument(parser)
        parser.add_argument("--output", help="File to write; stdout when absent (CSV only).")
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], default="csv", dest="file_format",
            help="csv (default) or xlsx.",
        )
        parser.add_argument(
            "--status", action="append", choices=Registration.Status.values,
            help="Only these statuses (repeat the option for several). Default: all.",
        )
        parser.add_argument(
            "--no-bom", action="store_true",
            help="Leave out the byte-order mark (Excel needs it to read UTF-8).",
        )

    def handle(self, *args, event, output, file_format, status, no_bom, **options):
        found = event_named(event)
        if file_format == "xlsx" and not output:
            raise CommandError("An Excel workbook needs --output FILE.xlsx.")
        registrations = Registration.objects.filter(event=found)
        if status:
            registrations = registrations.filter(status__in=status)
        registrations = exports.export_queryset(registrations)
        table = exports.rows(registrations)
        if file_format == "xlsx":
            with open(output, "wb") as stream:
                exports.write_xlsx(exports.headers(), table, stream, title=found.slug)
        elif output:
            # newline="": the csv module writes the CRLF line ends itself.
            with open(output, "w", encoding="utf-8", newline="") as stream:
                exports.write_table(exports.headers(), table, stream, bom=not no_bom)
        else:
            # Straight to stdout, line by line: nothing is gathered in memory.
            for line in exports.csv_lines(exports.headers(), table, bom=not no_bom):
                self.stdout.write(line, ending="")
            self.stdout.flush()
        if output:
            self.stderr.write(f"Wrote {registrations.count()} registration(s) to {output}.")
