"""Erase the personal details of registrations for events that ended long ago.

The privacy notice promises erasure REGISTRATION_RETENTION_MONTHS after the
event; run this daily (cron) to keep that promise.
"""

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone

from agenda.models import Event
from registration import services
from registration.models import Registration


class Command(BaseCommand):
    help = (
        "Erase personal details of registrations for events that ended more than "
        "REGISTRATION_RETENTION_MONTHS ago (anonymous counts are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be erased, erase nothing."
        )

    def handle(self, *args, dry_run, **options):
        cutoff = timezone.now() - relativedelta(months=settings.REGISTRATION_RETENTION_MONTHS)
        events = Event.objects.annotate(last_end=Max("sessions__end")).filter(
            last_end__lt=cutoff
        )
        total = 0
        for event in events:
            registrations = Registration.objects.filter(event=event, erased_at__isnull=True)
            count = registrations.count()
            if not dry_run:
                for registration in registrations:
                    # Nobody is promoted: the event is over.
                    services.erase(registration, promote=False)
            total += count
            self.stdout.write(f"{event.slug}: {count} registration(s)")
        verb = "would be erased" if dry_run else "erased"
        self.stdout.write(f"{total} registration(s) {verb}.")
