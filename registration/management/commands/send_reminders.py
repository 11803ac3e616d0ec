"""Email a named reminder to every confirmed registrant of an event, once each."""

from django.core.management.base import BaseCommand, CommandError

from agenda.models import Event
from registration import services


class Command(BaseCommand):
    help = (
        "Send a reminder to each confirmed registrant of an event who has not had it. "
        "Safe to run again (for example from cron): each reminder goes once per person."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="The event's slug, e.g. zccf-2022.")
        parser.add_argument(
            "--key",
            default="reminder",
            help="A name for this reminder (e.g. week-before, day-before); each named "
                 "reminder is sent once per registrant. Default: reminder.",
        )

    def handle(self, *args, event, key, **options):
        key = key.strip()
        if not key or len(key) > 50:
            raise CommandError("--key must be 1 to 50 characters.")
        try:
            found = Event.objects.get(slug=event)
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug {event!r}.") from None
        sent = services.send_reminders(found, key)
        self.stdout.write(f"{sent} reminder(s) “{key}” sent for {found.slug}.")
