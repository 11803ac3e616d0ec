"""Erase the personal details of registrations for events that ended long ago.

The privacy notice promises erasure REGISTRATION_RETENTION_MONTHS after the
event; run this daily (cron) to keep that promise. An event ends when its last
session ends; an event without sessions (a workshop whose programme was never
entered) ends at the end of its last programme day, in the event's zone. The
rule is agenda/event_life.py's, the one every page and command uses.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agenda.models import Event
from agenda.programme import load_life
from registration import services
from registration.models import Registration


def event_end(event):
    """When ``event`` is over (``agenda/event_life.py``), or None for an event without days."""
    return load_life(event).ends_at


class Command(BaseCommand):
    help = (
        "Erase personal details of registrations for events that ended more than "
        "REGISTRATION_RETENTION_MONTHS ago (anonymous counts are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be erased, erase nothing."
        )
        parser.add_argument("--event", help="Only this event (its slug).")
        parser.add_argument(
            "--older-than", type=int, metavar="MONTHS",
            help="Events that ended more than MONTHS ago (default: "
                 "REGISTRATION_RETENTION_MONTHS). 0 erases every event already over.",
        )

    def handle(self, *args, dry_run, event, older_than, **options):
        months = settings.REGISTRATION_RETENTION_MONTHS if older_than is None else older_than
        if months < 0:
            raise CommandError("--older-than must be 0 or more months.")
        cutoff = timezone.now() - relativedelta(months=months)
        events = Event.objects.order_by("slug")
        if event is not None:
            events = events.filter(slug=event)
            if not events.exists():
                raise CommandError(f"No event with the slug '{event}'.")
        total = 0
        for each in events:
            end = event_end(each)
            if end is None or end >= cutoff:
                continue
            registrations = Registration.objects.filter(event=each, erased_at__isnull=True)
            count = registrations.count()
            if not dry_run:
                for registration in registrations:
                    # Nobody is promoted: the event is over.
                    services.erase(registration, promote=False)
            total += count
            self.stdout.write(f"{each.slug}: {count} registration(s)")
        verb = "would be erased" if dry_run else "erased"
        self.stdout.write(f"{total} registration(s) {verb}.")
