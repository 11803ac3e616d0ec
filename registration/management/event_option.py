"""The ``--event`` option of the registration commands: one event, named by its slug."""

from django.core.management.base import CommandError

from agenda.models import Event


def add_event_argument(parser):
    """Add the required ``--event <slug>`` option to a command's parser."""
    parser.add_argument("--event", required=True, help="The event's slug, e.g. zccf-2022.")


def event_named(slug) -> Event:
    """The event whose slug is ``slug``; a CommandError that says so when there is none."""
    try:
        return Event.objects.get(slug=slug)
    except Event.DoesNotExist:
        raise CommandError(f"No event with the slug {slug!r}.") from None
