"""Write an event's registrations as CSV (UTF-8 with BOM, for Excel)."""

import io

from django.core.management.base import BaseCommand

from registration import exports
from registration.management.event_option import add_event_argument, event_named
from registration.models import Registration


class Command(BaseCommand):
    help = "Export the registrations of an event as CSV, to stdout or to --output."

    def add_arguments(self, parser):
        add_event_argument(parser)
        parser.add_argument("--output", help="File to write; stdout when absent.")
        parser.add_argument(
            "--status", action="append", choices=Registration.Status.values,
            help="Only these statuses (repeat the option for several). Default: all.",
        )
        parser.add_argument(
            "--no-bom", action="store_true",
            help="Leave out the byte-order mark (Excel needs it to read UTF-8).",
        )

    def handle(self, *args, event, output, status, no_bom, **options):
        found = event_named(event)
        registrations = Registration.objects.filter(event=found)
        if status:
            registrations = registrations.filter(status__in=status)
        registrations = exports.export_queryset(registrations)
        if output:
            # newline="": the csv module writes the CRLF line ends itself.
            with open(output, "w", encoding="utf-8", newline="") as stream:
                exports.write_csv(registrations, stream, bom=not no_bom)
            self.stderr.write(f"Wrote {registrations.count()} registration(s) to {output}.")
        else:
            buffer = io.StringIO()
            exports.write_csv(registrations, buffer, bom=not no_bom)
            self.stdout.write(buffer.getvalue(), ending="")
