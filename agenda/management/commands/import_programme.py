"""Read a programme file into an event: ``import_programme zccf-2022 programme.csv [--dry-run]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agenda import programme_import
from agenda.management.events import find_event


class Command(BaseCommand):
    help = (
        "Import sessions from a CSV, XLSX or schedule.json file (the format is recognised from "
        "the content). Rows are matched by slug: new slugs create sessions, others are updated "
        "like an edit in the admin (moves and cancellations recorded for the change notices); "
        "unchanged rows are left alone. Any bad row: nothing is imported, and every bad row is "
        "listed with its line number. --dry-run only says what would happen."
    )

    def add_arguments(self, parser):
        parser.add_argument("event", help="The event's slug, e.g. zccf-2022.")
        parser.add_argument("file", help="The CSV, XLSX or JSON file.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check the file and say what would change; change nothing.")

    def handle(self, *args, event, file, dry_run, **options):
        found = find_event(event)
        try:
            content = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            if dry_run:
                plan = programme_import.plan_import(found, content)
            else:
                plan = programme_import.apply_import(found, content)
        except programme_import.ImportFileError as error:
            raise CommandError(f"{file}: {error} Nothing was imported.") from None
        except programme_import.ImportRefused as refused:
            plan = refused.plan
        for row in plan.rows:
            for warning in row.warnings:
                self.stdout.write(f"Warning, line {row.line} ({row.slug}): {warning}")
        if plan.errors:
            for message in plan.error_messages:
                self.stderr.write(message)
            raise CommandError(
                f"{file}: {len(plan.errors)} problem(s) found; nothing was imported."
            )
        for row in plan.changed:
            self.stdout.write(f"Line {row.line}: {row.slug} changes: {', '.join(row.changed)}")
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{len(plan.created)} session(s) {verb} created, {len(plan.changed)} changed, "
            f"{len(plan.unchanged)} left as they were ({plan.file_format}, {found.slug})."
            + (" Dry run: nothing was changed." if dry_run else "")
        )
