"""The event a management command names, or a clear CommandError."""

from django.core.management.base import CommandError

from agenda.models import Event


def find_event(slug: str) -> Event:
    """The event with ``slug`` (drafts included: commands are for organisers)."""
    try:
        return Event.objects.get(slug=slug)
    except Event.DoesNotExist:
        known = ", ".join(Event.objects.values_list("slug", flat=True)) or "none"
        raise CommandError(f"No event with the slug {slug!r} (known: {known}).") from None
