"""Loading the seed events from fixtures/ without ever overwriting an organiser's edits.

``loaddata`` saves every fixture row over the row with the same natural key,
so running it on each start silently reverts whatever organisers changed in
the admin. :func:`load_seed_file` is what starts and deployments run instead:

- a seed event that is already in the database belongs to the organisers now:
  it is left alone whole (its days, sessions, speakers and organisations), so
  an edit, a cancellation or a deletion survives any number of restarts;
- a seed event that is missing is created with everything in its file, in one
  transaction; organisations and speakers that exist already (shared by both
  seeds, or edited by organisers) are linked, never changed.

``loaddata`` stays available to a developer who means to reset the seeds.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import transaction

from agenda.models import Event

SEED_FIXTURES = ("zccf-2022", "dien-bien-2024")


@dataclass
class SeedResult:
    """What loading one seed file did: rows created and rows left as they were, per model class."""

    label: str
    events: list[str]
    created: Counter = field(default_factory=Counter)
    left_alone: Counter = field(default_factory=Counter)

    @property
    def event_created(self) -> bool:
        return self.created[Event] > 0


def fixture_path(label: str) -> Path:
    """``fixtures/<label>.json`` (FIXTURE_DIRS), for a label such as ``zccf-2022``."""
    for folder in settings.FIXTURE_DIRS:
        path = Path(folder) / f"{label}.json"
        if path.is_file():
            return path
    raise FileNotFoundError(f"No seed fixture named {label!r} in {settings.FIXTURE_DIRS}.")


def load_seed_file(label: str) -> SeedResult:
    """Create the seed event of fixture ``label`` if it is missing; never change what exists."""
    text = fixture_path(label).read_text(encoding="utf-8")
    records = json.loads(text)
    slugs = [r["fields"]["slug"] for r in records if r["model"] == "agenda.event"]
    result = SeedResult(label=label, events=slugs)
    if Event.objects.filter(slug__in=slugs).exists():
        for record in records:
            result.left_alone[apps.get_model(record["model"])] += 1
        return result
    with transaction.atomic():
        # Lazily deserialised, in file order: each row's natural-key references
        # resolve against the rows saved before it.
        for item in serializers.deserialize("json", text, ignorenonexistent=True):
            model = type(item.object)
            if item.object.pk is not None:
                # The natural key matched a stored row (a shared organisation
                # or speaker): it is the organisers' row now.
                result.left_alone[model] += 1
                continue
            item.save()
            result.created[model] += 1
    return result


def load_seed_events(labels=SEED_FIXTURES) -> list[SeedResult]:
    """Load every seed file (see :func:`load_seed_file`), each in its own transaction."""
    return [load_seed_file(label) for label in labels]
