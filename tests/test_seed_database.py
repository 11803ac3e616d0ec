"""Every test starts from the seed events, whatever the test before it did (tests/conftest.py)."""

import pytest
from django.contrib.auth.models import Group

from agenda.models import Event, Session

SEEDS = ["dien-bien-2024", "zccf-2022"]


def seeded():
    return (
        sorted(Event.objects.values_list("slug", flat=True)),
        Session.objects.count(),
        Group.objects.filter(name="Organisers").exists(),
    )


@pytest.mark.parametrize("run", [1, 2])
def test_a_test_in_a_transaction_finds_the_seeds_and_its_changes_are_undone(db, run):
    assert seeded() == (SEEDS, 15, True)
    Event.objects.filter(slug="zccf-2022").update(name=f"Changed by run {run}")
    Group.objects.all().delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", [1, 2])
def test_a_transactional_test_finds_the_seeds_after_the_last_one_emptied_the_tables(run):
    assert seeded() == (SEEDS, 15, True)
    assert Event.objects.get(slug="zccf-2022").name == "Zero Carbon City International Forum"
    Session.objects.filter(event__slug="zccf-2022", kind=Session.Kind.BREAK).delete()
    Group.objects.all().delete()


def test_no_seed_events_empties_the_programme(no_seed_events):
    assert seeded() == ([], 0, True)
