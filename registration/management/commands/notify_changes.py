"""Email registrants the programme changes of their sessions that they have not been told."""

from django.core.management.base import BaseCommand, CommandError

from agenda.models import Event
from registration import services


class Command(BaseCommand):
    help = (
        "Email each confirmed or waitlisted registrant of an event the changes of their "
        "sessions (moved, cancelled, restored) not yet told them, in one email per person. "
        "Safe to run again (for example from cron): each change is told once per person."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="The event's slug, e.g. zccf-2022.")

    def handle(self, *args, event, **options):
        try:
            found = Event.objects.get(slug=event)
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug {event!r}.") from None
        sent = services.notify_changes(found)
        self.stdout.write(f"{sent} change notice(s) sent for {found.slug}.")
