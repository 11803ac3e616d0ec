"""Email a named reminder to every confirmed registrant of an event, once each."""

import re
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agenda.programme import event_start
from registration import notices
from registration.management.event_option import add_event_argument, event_named

WINDOW = re.compile(r"^([0-9]{1,6})([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}
LONGEST_WINDOW = timedelta(days=366)


def parse_window(text: str) -> tuple[timedelta, str]:
    """``24h`` → (24 hours, ``"24h"``); minutes (m), hours (h) or days (d).

    The second value is the window written the same way every time (``024H``
    is ``24h``), so the reminder named after it is the same reminder.
    """
    match = WINDOW.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise CommandError(
            f"--before {text!r} is not a window: write a whole number followed by m, h or d, "
            "e.g. 90m, 24h or 2d."
        )
    number, unit = int(match.group(1)), match.group(2)
    window = timedelta(**{UNITS[unit]: number})
    if window > LONGEST_WINDOW:
        raise CommandError(f"--before {text!r} is longer than a year.")
    return window, f"{number}{unit}"


class Command(BaseCommand):
    help = (
        "Send a reminder to each confirmed registrant of an event who has not had it. "
        "Safe to run again (for example from cron): each reminder goes once per person. "
        "With --before, only when the event starts within that window from now."
    )

    def add_arguments(self, parser):
        add_event_argument(parser)
        parser.add_argument(
            "--before",
            help="Send only if the event's first session (or first day) starts within this "
                 "window from now, e.g. 24h, 90m, 2d; otherwise send nothing. The reminder is "
                 "then named before-<window> unless --key says otherwise.",
        )
        parser.add_argument(
            "--key",
            help="A name for this reminder (e.g. week-before, day-before); each named "
                 "reminder is sent once per registrant. Default: reminder, or "
                 "before-<window> with --before.",
        )

    def handle(self, *args, event, before, key, **options):
        window = window_label = None
        if before is not None:
            window, window_label = parse_window(before)
            key = key if key is not None else f"before-{window_label}"
        key = (key if key is not None else "reminder").strip()
        if not key or len(key) > 50:
            raise CommandError("--key must be 1 to 50 characters.")
        found = event_named(event)
        if window is not None and not self._due(found, window, window_label):
            return
        sent = notices.send_reminders(found, key)
        self.stdout.write(f"{sent} reminder(s) “{key}” sent for {found.slug}.")

    def _due(self, event, window, window_label) -> bool:
        """Whether the event starts within ``window`` from now; says why not otherwise."""
        starts = event_start(event)
        if starts is None:
            raise CommandError(f"{event.slug} has no days yet: there is nothing to remind of.")
        now = timezone.now()
        if starts <= now:
            self.stdout.write(
                f"{event.slug} started at {starts.isoformat()}: too late for reminders; "
                "nothing sent."
            )
            return False
        if starts - now > window:
            self.stdout.write(
                f"Not time yet: {event.slug} starts at {starts.isoformat()}, more than "
                f"{window_label} from now; nothing sent."
            )
            return False
        return True
