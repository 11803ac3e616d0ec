"""Shared fixtures: the seed events, a clean cache, and the registration clients.

The database holds both seed events at the start of every test. They are
loaded once per session, right after the test database is created
(``django_db_setup``); each ordinary test runs inside a transaction that is
rolled back, so what it changes is gone for the next one. Transactional tests
(``transaction=True``, ``live_server``) commit for real and Django empties
every table after each of them; they get ``serialized_rollback``, which puts
the database back as it was after loading (seed events, the Organisers group,
permissions) before each one. A test that needs an empty programme asks for
``no_seed_events``.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from tests.registration_support import CommitClient

SEED_FIXTURES = ["zccf-2022", "dien-bien-2024"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the seed events loaded, once for the whole session."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        call_command("load_seed_events", *SEED_FIXTURES, verbosity=0)
        # What serialized_rollback restores before a transactional test: Django
        # serialized the database after migrating, before the seeds were here.
        contents = connection.creation.serialize_db_to_string()
        connection._test_serialized_contents = contents
        # Django reads it from the connection object, but Playwright's greenlets
        # (tests/browser) give the same database a new connection object: kept
        # on the backend's class too, every connection object finds it.
        type(connection)._test_serialized_contents = contents


TRANSACTIONAL_TESTS = set()  # node ids, filled at collection
# The fuzz, about 2 minutes a file: started first, one file per worker.
LONGEST_FIRST = ("tests/test_fuzz_public_urls.py", "tests/test_fuzz_forms.py")


def pytest_collection_modifyitems(items):
    """Give every transactional test ``serialized_rollback``, so it starts from the seeds.

    Runs after pytest-django's own ordering (transactional tests last).
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        options = dict(marker.kwargs) if marker else {}
        fixtures = getattr(item, "fixturenames", ())
        transactional = options.get("transaction") or (
            "live_server" in fixtures or "transactional_db" in fixtures
        )
        if transactional and not options.get("serialized_rollback"):
            options.update(transaction=True, serialized_rollback=True)
            # Prepended: the closest django_db marker is the one pytest-django reads.
            item.add_marker(pytest.mark.django_db(**options), append=False)
        if transactional:
            TRANSACTIONAL_TESTS.add(item.nodeid)
    # The longest files first (pytest-django has sorted the rest already, stably
    # kept here): the other workers share out the rest meanwhile instead of
    # waiting for them at the end.
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Put the seeds back after a transactional test when an ordinary one comes next.

    Django empties every table after a transactional test. Run alone, pytest-django
    puts those tests last; with pytest-xdist (``make test`` runs two or more
    workers) an ordinary test may follow one on the same worker, and would find
    the database empty.
    """
    result = yield
    if (item.nodeid in TRANSACTIONAL_TESTS and nextitem is not None
            and nextitem.nodeid not in TRANSACTIONAL_TESTS):
        from django.db import DEFAULT_DB_ALIAS, connections
        from pytest_django.plugin import blocking_manager_key

        connection = connections[DEFAULT_DB_ALIAS]
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(
                type(connection)._test_serialized_contents
            )
    return result


@pytest.fixture(autouse=True)
def _plain_http(settings):
    # Production settings redirect every request to HTTPS; the test client
    # speaks plain HTTP, so tests that need HTTPS say so with secure=True.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _site_url(settings):
    # As in production, links leave on the public address; tests of the
    # laptop's fallback (no SITE_URL) clear it (tests/test_site_url.py).
    settings.SITE_URL = "http://localhost:8000"


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
    """Both seed events, as `make run` loads them (`manage.py load_seed_events`)."""
    from agenda.models import Event

    return {event.slug: event for event in Event.objects.all()}


@pytest.fixture
def forum(seed_events):
    """The Zero Carbon City International Forum (zccf-2022)."""
    return seed_events["zccf-2022"]


@pytest.fixture
def dien_bien(seed_events):
    """The Điện Biên workshop (dien-bien-2024)."""
    return seed_events["dien-bien-2024"]


@pytest.fixture
def no_seed_events(db):
    """An empty programme: the seed events and their organisations and speakers deleted.

    Inside the test's transaction, so the next test has them again.
    """
    from agenda.models import Day, Event, Organisation, Session, Speaker

    # Sessions protect their day, and days their event: delete from the bottom up.
    Session.objects.all().delete()
    Day.objects.all().delete()
    Event.objects.all().delete()
    Organisation.objects.all().delete()
    Speaker.objects.all().delete()


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """``capture(execute=True)``: run the on-commit callbacks (emails) the block queued."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def web(client, capture):
    """The test client, with the emails a request queues sent when it ends."""
    return CommitClient(client, capture)



@pytest.fixture
def latest_migrations_afterwards():
    """For a test that migrates backwards: every app at its latest migration again afterwards.

    The tests that follow on the same worker expect the whole schema.
    """
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
