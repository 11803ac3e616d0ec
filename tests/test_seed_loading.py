"""Seeds never overwrite: `make run`'s set-up creates what is missing and changes nothing else."""

import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from agenda.models import Event, Organisation, Session, SessionSpeaker, Speaker
from agenda.services import save_session

MAKEFILE = Path(__file__).resolve().parent.parent / "Makefile"


def _setup_commands(target):
    """The manage.py commands a Makefile target runs before serving (runserver/gunicorn cut)."""
    recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", MAKEFILE.read_text(), re.M).group(1)
    commands = []
    for line in recipe.replace("\\\n", " ").splitlines():
        words = shlex.split(line.strip())
        if "manage.py" in words:
            arguments = words[words.index("manage.py") + 1:]
            if arguments[0] not in ("runserver", "collectstatic"):
                commands.append(arguments)
    return commands


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_run_and_serve_load_the_seeds_without_loaddata(target):
    assert _setup_commands(target) == [["migrate", "--noinput"], ["load_seed_events"]]


def _run_setup():
    for arguments in _setup_commands("run"):
        call_command(*arguments, verbosity=0)


@pytest.mark.django_db
def test_an_organisers_edits_to_seed_rows_survive_the_run_setup():
    _run_setup()
    session = Session.objects.get(event__slug="zccf-2022", slug="session-1")
    session.title_en = "Session 1, retitled by the organisers"
    session.start = datetime(2022, 3, 10, 1, 25, tzinfo=UTC)
    save_session(session)
    cancelled = Session.objects.get(event__slug="zccf-2022", slug="session-2")
    cancelled.status = Session.Status.CANCELLED
    save_session(cancelled)
    Session.objects.get(event__slug="zccf-2022", slug="break-day-2-late").delete()
    SessionSpeaker.objects.filter(session__slug="opening-remarks-day-1").delete()
    Speaker.objects.filter(slug="yamaguchi-tsuyoshi").update(name_ja="山口 壯（編集）")
    Organisation.objects.filter(slug="iges").update(name_en="IGES, renamed")
    Event.objects.filter(slug="dien-bien-2024").update(venue_en="A new venue")

    _run_setup()
    _run_setup()

    session.refresh_from_db()
    assert session.title_en == "Session 1, retitled by the organisers"
    assert session.start == datetime(2022, 3, 10, 1, 25, tzinfo=UTC)
    assert Session.objects.get(slug="session-2").status == Session.Status.CANCELLED
    assert not Session.objects.filter(slug="break-day-2-late").exists()
    assert Session.objects.filter(event__slug="zccf-2022").count() == 14
    assert not SessionSpeaker.objects.filter(session__slug="opening-remarks-day-1").exists()
    assert Speaker.objects.get(slug="yamaguchi-tsuyoshi").name_ja == "山口 壯（編集）"
    assert Organisation.objects.get(slug="iges").name_en == "IGES, renamed"
    assert Event.objects.get(slug="dien-bien-2024").venue_en == "A new venue"


@pytest.mark.django_db
def test_it_says_what_it_created_then_what_it_left_alone(no_seed_events, capsys):
    call_command("load_seed_events")
    assert capsys.readouterr().out == (
        "Created zccf-2022: 2 days, 1 event, 6 organisations of the event, 5 organisations, "
        "15 sessions, 1 speaker of the session, 1 speaker.\n"
        "Created dien-bien-2024: 1 day, 1 event, 5 organisations of the event, "
        "5 organisations.\n"
    )
    call_command("load_seed_events")
    assert capsys.readouterr().out == (
        "Left alone zccf-2022: already in the database (organisers' copy kept).\n"
        "Left alone dien-bien-2024: already in the database (organisers' copy kept).\n"
    )


@pytest.mark.django_db
def test_a_missing_seed_event_is_created_beside_an_existing_one():
    call_command("load_seed_events", "zccf-2022", verbosity=0)
    Session.objects.filter(slug="session-1").update(title_en="Edited")
    call_command("load_seed_events", verbosity=0)
    assert sorted(Event.objects.values_list("slug", flat=True)) == ["dien-bien-2024", "zccf-2022"]
    assert Session.objects.get(slug="session-1").title_en == "Edited"


@pytest.mark.django_db
def test_the_seed_events_are_published():
    call_command("load_seed_events", verbosity=0)
    assert list(Event.objects.public().values_list("slug", flat=True)) == [
        "dien-bien-2024", "zccf-2022"
    ]


@pytest.mark.django_db
def test_an_unknown_fixture_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No seed fixture named 'nope'"):
        call_command("load_seed_events", "nope")
