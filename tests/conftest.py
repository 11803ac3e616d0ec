"""Shared fixtures: the seed events loaded from fixtures/, and a clean cache."""

import pytest
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


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seed_events(db):
    """Both seed events, loaded exactly as `make run` loads them (`manage.py load_seed_events`)."""
    call_command("load_seed_events", *SEED_FIXTURES, verbosity=0)
    from agenda.models import Event

    return {event.slug: event for event in Event.objects.all()}


@pytest.fixture
def forum(seed_events):
    return seed_events["zccf-2022"]


@pytest.fixture
def dien_bien(seed_events):
    return seed_events["dien-bien-2024"]
