"""Create the seed events that are missing; leave every existing one exactly as it is."""

from django.core.management.base import BaseCommand, CommandError

from agenda import seeds


def _counts(counter) -> str:
    """``1 event, 2 days, 15 sessions`` from a Counter of model classes."""
    parts = []
    for model, count in sorted(counter.items(), key=lambda item: item[0]._meta.model_name):
        name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        parts.append(f"{count} {name}")
    return ", ".join(parts)


class Command(BaseCommand):
    help = (
        "Load the seed events (fixtures/zccf-2022.json, fixtures/dien-bien-2024.json) "
        "without overwriting anything: a seed event already in the database is left "
        "alone whole (organisers' edits survive), a missing one is created. Safe to run "
        "on every start. `loaddata` still resets the seeds for a developer who means to."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "labels", nargs="*", default=list(seeds.SEED_FIXTURES),
            help="Fixture names (default: %(default)s).",
        )

    def handle(self, *args, labels, **options):
        try:
            results = seeds.load_seed_events(labels)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from None
        for result in results:
            events = ", ".join(result.events)
            if result.event_created:
                line = f"Created {events}: {_counts(result.created)}."
                if result.left_alone:
                    line += f" Reused as they were: {_counts(result.left_alone)}."
            else:
                line = f"Left alone {events}: already in the database (organisers' copy kept)."
            self.stdout.write(line)
