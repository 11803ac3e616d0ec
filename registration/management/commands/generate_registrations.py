"""Fill an event with synthetic registrations for measuring: ``--count 100000``.

The registrations look like real ones at scale: every status (confirmed up to
the event's capacity, then the waiting list; some awaiting confirmation, some
cancelled), the three email languages, sectors and countries, and one choice
per parallel-session slot (a seat while the session has one, else its waiting
list). Their addresses are ``…@synthetic.invalid``, a domain that can never
receive mail; running the command again replaces them and leaves every real
registration alone. No email is queued.
"""

from collections import defaultdict
from datetime import timedelta
from itertools import cycle

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agenda.models import Event, Session
from registration.models import Registration, Sector, SessionChoice

SYNTHETIC_DOMAIN = "synthetic.invalid"
BATCH = 5000
COUNTRIES = ["JP", "US", "VN", "GB", "DE", "FR", "IN", "BR", "KE", "ID", ""]


class Command(BaseCommand):
    help = (
        "Add N synthetic registrations (addresses @synthetic.invalid) to an event, replacing "
        "those of an earlier run, for measuring the admin, dashboard and exports at scale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="The event's slug, e.g. zccf-2022.")
        parser.add_argument("--count", type=int, default=100_000,
                            help="How many registrations (default 100000).")

    def handle(self, *args, event, count, **options):
        if not 1 <= count <= 1_000_000:
            raise CommandError("--count must be between 1 and 1000000.")
        try:
            found = Event.objects.get(slug=event)
        except Event.DoesNotExist:
            raise CommandError(f"No event with the slug {event!r}.") from None
        with transaction.atomic():
            removed, _ = Registration.objects.filter(
                event=found, email_key__endswith="@" + SYNTHETIC_DOMAIN
            ).delete()
            self._build(found, count)
        self.stdout.write(
            f"{found.slug}: {count} synthetic registration(s) added"
            + (" (an earlier run's removed)." if removed else ".")
        )

    @staticmethod
    def _build(event, count):
        statuses = Registration.Status
        seats_left = None
        if event.capacity is not None:
            seats_left = max(event.capacity - event.registrations.filter(
                status=statuses.CONFIRMED).count(), 0)
        slots = defaultdict(list)
        for session in Session.objects.filter(event=event, kind=Session.Kind.PARALLEL):
            slots[session.start].append(session)
        session_seats = {
            session.pk: session.capacity
            for sessions in slots.values() for session in sessions
        }
        sectors = cycle(Sector.values)
        countries = cycle(COUNTRIES)
        languages = cycle(["en", "ja", "vi"])
        now = timezone.now()
        for first in range(0, count, BATCH):
            batch = []
            for n in range(first, min(first + BATCH, count)):
                if n % 20 == 0:
                    status = statuses.PENDING
                elif n % 20 == 1:
                    status = statuses.CANCELLED
                elif seats_left is None or seats_left > 0:
                    status = statuses.CONFIRMED
                    if seats_left is not None:
                        seats_left -= 1
                else:
                    status = statuses.WAITLISTED
                requested = now - timedelta(minutes=count - n)
                email = f"person{n}@{SYNTHETIC_DOMAIN}"
                registration = Registration(
                    event=event, status=status, full_name=f"Synthetic Person {n}",
                    email=email, email_key=email, organisation=f"City office {n % 500}",
                    position="Climate officer", country=next(countries), sector=next(sectors),
                    language=next(languages), privacy_consent_at=requested,
                    seat_requested_at=None if status == statuses.PENDING else requested,
                    confirmed_at=requested if status == statuses.CONFIRMED else None,
                    cancelled_at=requested if status == statuses.CANCELLED else None,
                )
                registration.issue_token()
                batch.append(registration)
            created = Registration.objects.bulk_create(batch)
            choices = []
            for registration in created:
                for position, sessions in enumerate(slots.values()):
                    session = sessions[(registration.pk + position) % len(sessions)]
                    choice_status = SessionChoice.Status.INACTIVE
                    if registration.status == statuses.CONFIRMED:
                        left = session_seats[session.pk]
                        if left is None or left > 0:
                            choice_status = SessionChoice.Status.CONFIRMED
                            if left is not None:
                                session_seats[session.pk] = left - 1
                        else:
                            choice_status = SessionChoice.Status.WAITLISTED
                    choices.append(SessionChoice(
                        registration=registration, session=session, status=choice_status,
                        requested_at=registration.privacy_consent_at,
                        confirmed_at=registration.confirmed_at
                        if choice_status == SessionChoice.Status.CONFIRMED else None,
                    ))
            SessionChoice.objects.bulk_create(choices)
