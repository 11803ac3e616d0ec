"""Shared fixtures: the seed events loaded from fixtures/, and a clean cache."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

SEED_FIXTURES = ["zccf-2022", "dien-bien-2024"]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect every request to HTTPS; the test client
    # speaks plain HTTP, so tests that need HTTPS say so with secure=True.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _default_language(settings):
    # A request through LocaleMiddleware leaves its language active in the
    # thread; each test starts from the site's default instead.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


#: The seed events are over in real time (9–10 March 2022, 12 January 2024),
#: and most tests browse them as visitors before the event and sign up. Unless
#: a test moves the clock itself (time_machine), the suite runs on this day,
#: after the seeds were last edited (15 February 2022) and before both events,
#: with the clock ticking. Tests of an event's life set their own.
SUITE_CLOCK = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _before_the_seed_events(request):
    if request.node.get_closest_marker("real_clock"):
        yield  # e.g. servers in other processes, whose clock cannot move
        return
    with time_machine.travel(SUITE_CLOCK, tick=True):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_events(db):
    """Both seed events, loaded exactly as `manage.py loaddata` loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
    from agenda.models import Event

    return {event.slug: event for event in Event.objects.all()}


@pytest.fixture
def forum(seed_events):
    return seed_events["zccf-2022"]


@pytest.fixture
def dien_bien(seed_events):
    return seed_events["dien-bien-2024"]
