"""A demonstration event in the near future, for trying sign-up on a local run.

The seed events are past, so their registration is closed. This copies one
(zccf-2022 by default) with its dates moved to start a week from today,
published and open for registration, and labelled "Demonstration" in its name
in every language. It never runs by itself: `make run` does not call it.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agenda import editions
from agenda.management.commands.clone_event import iso_date
from agenda.management.events import find_event

DAYS_AHEAD = 7


class Command(BaseCommand):
    help = (
        "Create a demonstration copy of a seed event starting a week from today (or "
        "--start-date), published with registration open and named "
        "\u201cDemonstration: \u2026\u201d in every language, to try sign-up locally. "
        "Run it again with another --slug for a fresh one."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", default="zccf-2022",
                            help="The event to copy (default %(default)s).")
        parser.add_argument("--slug", default="",
                            help="The demonstration's slug (default <source>-demo).")
        parser.add_argument("--start-date", default="",
                            help=f"Its first day, YYYY-MM-DD (default: {DAYS_AHEAD} days ahead).")

    def handle(self, *args, source, slug, start_date, **options):
        event = find_event(source)
        slug = slug or f"{event.slug}-demo"
        if start_date:
            first_day = iso_date(start_date)
        else:
            today = timezone.now().astimezone(event.reference_zone).date()
            first_day = today + dt.timedelta(days=DAYS_AHEAD)
        try:
            demo = editions.copy_as_demonstration(event, slug=slug, start_date=first_day)
        except ValidationError as error:
            raise CommandError(
                " ".join(error.messages) + " Give another --slug."
            ) from None
        self.stdout.write(
            f"Created the demonstration event {demo.slug} ({demo.name_en}), from "
            f"{first_day.isoformat()}, published, registration open: "
            f"/en/events/{demo.slug}/register/"
        )
