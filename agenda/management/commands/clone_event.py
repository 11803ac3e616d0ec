"""Copy an event into its next edition.

``manage.py clone_event zccf-2022 --slug zccf-2023 --start-date 2023-03-08``
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agenda import editions
from agenda.management.events import find_event


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date written YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Copy an event (every translation, organisations, days, sessions, speakers) as a new "
        "draft with registration closed. Days move so that the first one is --start-date; "
        "sessions keep their wall-clock times in the reference zone. Registrations and "
        "recorded changes stay with the old edition."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The slug of the event to copy, e.g. zccf-2022.")
        parser.add_argument("--slug", required=True, help="The new event's slug.")
        parser.add_argument("--start-date", required=True,
                            help="The new first day, YYYY-MM-DD (reference zone).")

    def handle(self, *args, source, slug, start_date, **options):
        event = find_event(source)
        first_day = iso_date(start_date)
        try:
            copy = editions.copy_event(event, slug=slug, start_date=first_day)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        days = copy.days.count()
        sessions = copy.sessions.count()
        self.stdout.write(
            f"Created {copy.slug} from {event.slug}: {days} day(s) from {first_day.isoformat()}, "
            f"{sessions} session(s). It is a draft with registration closed: publish it in "
            "the admin when it is ready."
        )
