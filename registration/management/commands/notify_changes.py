"""Email registrants the programme changes of their sessions that they have not been told."""

from django.core.management.base import BaseCommand

from registration import notices
from registration.management.event_option import add_event_argument, event_named


class Command(BaseCommand):
    help = (
        "Email each confirmed or waitlisted registrant of an event the changes of their "
        "sessions (moved, cancelled, restored) not yet told them, in one email per person. "
        "Safe to run again (for example from cron): each change is told once per person."
    )

    def add_arguments(self, parser):
        add_event_argument(parser)

    def handle(self, *args, event, **options):
        found = event_named(event)
        sent = notices.notify_changes(found)
        self.stdout.write(f"{sent} change notice(s) sent for {found.slug}.")
