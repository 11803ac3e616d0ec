"""Write an event's programme to a file: ``export_programme zccf-2022 --format csv --output f``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agenda import programme_export
from agenda.management.events import find_event


class Command(BaseCommand):
    help = (
        "Write the programme of an event as CSV or XLSX (columns in the README, times in the "
        "event's reference zone) or as schedule.json (frab). The file imports back with "
        "import_programme."
    )

    def add_arguments(self, parser):
        parser.add_argument("event", help="The event's slug, e.g. zccf-2022.")
        parser.add_argument("--format", dest="file_format", choices=programme_export.FORMATS,
                            default="csv", help="csv (default), xlsx or json.")
        parser.add_argument("--output", required=True, help="The file to write ('-': stdout).")

    def handle(self, *args, event, file_format, output, **options):
        found = find_event(event)
        if output == "-" and file_format == "xlsx":
            raise CommandError("XLSX cannot be written to the terminal: give --output FILE.")
        content = programme_export.export(found, file_format)
        if output == "-":
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        count = found.sessions.count()
        self.stderr.write(f"Wrote {count} session(s) of {found.slug} to {output} ({file_format}).")
