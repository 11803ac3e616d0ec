"""Erasure leaves nothing personal anywhere: every table, sessions, cache, files.

Registrations are made with marker values in every personal field, used the
way people and organisers use them (emails stored and sent, private page,
admin history), then erased, by the person (private page) or by the retention
command. Then every row of every table, read both through the ORM and as raw
SQL, every session, every cache entry and every stored file is searched for
the markers.
"""

import io
import json
import pickle
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session as WebSession
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from post_office.models import Attachment, Email, Log

from agenda.models import Day
from registration.models import Registration, RegistrationEmail, SessionChoice
from tests.registration_support import (
    confirmation_path,
    form_data,
    manage_path,
    outbox_to,
)

PASSWORD = "correct horse battery staple 42"


def attachment_storage():
    # The storage the field really uses: it is resolved once, at import, and
    # a test that overrides STORAGES leaves storages[...] a fresh instance.
    return Attachment._meta.get_field("file").storage


@pytest.fixture(autouse=True)
def _no_files_from_earlier_tests():
    # Files outlive each test's rolled-back rows in the in-memory storage.
    storage = attachment_storage()
    for name in list(_all_files(storage, "")):
        storage.delete(name)


def markers(tag):
    """Values for every personal field, each with a distinctive ASCII stem."""
    return {
        "full_name": f"Zqx{tag}name Nguyễn Thị Hương{tag}",
        "email": f"zqx{tag}mail@example.org",
        "organisation": f"Zqx{tag}org 横浜市",
        "position": f"Zqx{tag}position",
    }


def stems(tag):
    """What must not be found anywhere (matched case-insensitively)."""
    return [f"zqx{tag}name", f"zqx{tag}mail", f"zqx{tag}org", f"zqx{tag}position",
            f"nguyễn thị hương{tag}"]


@pytest.fixture
def organiser(django_user_model, client):
    """A superuser who logs in through the real login form (so django-axes logs it)."""
    user = django_user_model.objects.create_superuser("organiser", "org@example.net", PASSWORD)
    return user


def _texts_of_every_model():
    """(where, text) for every field of every row of every model, auto-created M2M included."""
    for model in apps.get_models(include_auto_created=True):
        for obj in model._base_manager.all():
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if value is None:
                    continue
                if isinstance(value, (bytes, memoryview)):
                    text = bytes(value).decode("utf-8", "replace")
                elif isinstance(value, (dict, list)):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value)
                yield f"{model._meta.label}.{field.name}#{obj.pk}", text


def _texts_of_every_table():
    """(where, text) for every row of every table, as the database returns it."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                yield table, " | ".join(
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, (bytes, memoryview)) else str(value)
                    for value in row
                )


def _texts_of_sessions_cache_and_files():
    for session in WebSession.objects.all():
        yield f"session {session.pk}", json.dumps(session.get_decoded(), ensure_ascii=False)
    # The test cache is Django's local-memory cache: keys and pickled values.
    for key, value in cache._cache.items():
        yield f"cache {key}", key + " " + repr(pickle.loads(value))
    storage = attachment_storage()
    for name in _all_files(storage, ""):
        with storage.open(name) as file:
            yield f"file {name}", file.read().decode("utf-8", "replace")


def _all_files(storage, path):
    directories, files = storage.listdir(path)
    for name in files:
        yield f"{path}{name}"
    for directory in directories:
        yield from _all_files(storage, f"{path}{directory}/")


def found(needles):
    """Every (where, needle) such that the needle is somewhere; exact for secrets."""
    hits = []
    for source in (_texts_of_every_model, _texts_of_every_table,
                   _texts_of_sessions_cache_and_files):
        for where, text in source():
            lowered = text.lower()
            for needle in needles:
                if needle.lower() in lowered:
                    hits.append((where, needle))
    return hits


def _use_it_fully(web, client, forum, organiser, tag, *, choices=None):
    """Register, confirm, visit and change the private page, edited by an organiser."""
    data = form_data(forum, **markers(tag))
    if choices is not None:
        data = form_data(forum, choices=choices, **markers(tag))
    assert web.post(f"/en/events/{forum.slug}/register/", data).status_code == 302
    address = markers(tag)["email"]
    [request] = outbox_to(address)
    confirm = confirmation_path(request)
    assert web.post(confirm).status_code == 302
    registration = Registration.objects.get(email=address)
    manage = manage_path(outbox_to(address)[1])
    assert web.get(manage).status_code == 200
    # The admin's history: a change and a look at the stored email (both
    # name the objects the way str() does, i.e. by name and address).
    LogEntry.objects.log_actions(
        organiser.pk, [registration], CHANGE,
        change_message=[{"changed": {"fields": ["Position"]}}], single_object=True,
    )
    LogEntry.objects.log_actions(
        organiser.pk, list(Email.objects.filter(to=address)), CHANGE,
        change_message="Requeued", single_object=False,
    )
    secrets = [registration.token, registration.token_digest,
               confirm.rstrip("/").rsplit("/", 1)[1]]
    return registration, manage, secrets


@pytest.fixture
def logged_in_organiser(client, organiser):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "organiser", "password": PASSWORD},
    )
    assert response.status_code == 302
    return organiser


def test_erasing_from_the_private_page_leaves_no_trace(
    forum, web, client, logged_in_organiser
):
    registration, manage, secrets = _use_it_fully(web, client, forum, logged_in_organiser, "a")
    # A second person, not erased, proves that the search finds things.
    _use_it_fully(web, client, forum, logged_in_organiser, "b",
                  choices=("parallel-session-2", "parallel-session-4"))
    assert {needle for _where, needle in found(stems("a") + secrets)} == {
        *stems("a"), *secrets
    }
    # Every kind of place held something of "a" before the erasure.
    places = {where.split("#")[0].split(" ")[0] for where, _ in found(stems("a"))}
    assert {"registration.Registration.full_name", "post_office.Email.to",
            "post_office.Email.message", "admin.LogEntry.object_repr",
            "registration_registration", "post_office_email", "django_admin_log"} <= places
    # The calendar attachments (one each) hold no name, but are a's sessions.
    assert len(list(_all_files(attachment_storage(), ""))) == 2

    response = web.post(manage + "erase/")
    assert (response.status_code, response["Location"]) == (302, "/en/registration/erased/")

    assert found(stems("a") + secrets) == []
    assert {needle for _where, needle in found(stems("b"))} == set(stems("b"))
    # The anonymous part stays, so the organisers' counts stay true.
    erased = Registration.objects.get(pk=registration.pk)
    assert (erased.full_name, erased.email, erased.email_key, erased.organisation,
            erased.position, erased.token, erased.token_digest) == ("",) * 7
    assert (erased.status, erased.country, erased.sector, erased.language, erased.channel) == (
        Registration.Status.CANCELLED, "JP", "local_government", "en", "ja"
    )
    assert sorted(SessionChoice.objects.filter(registration=erased)
                  .values_list("session__slug", flat=True)) == [
        "parallel-session-1", "parallel-session-3"
    ]
    assert str(LogEntry.objects.get(object_id=str(erased.pk),
                                    content_type__model="registration").object_repr) == (
        f"Erased registration #{erased.pk}"
    )
    assert RegistrationEmail.objects.filter(registration=erased).count() == 0
    # b's emails (2) and attachment (1) are still there; a's are gone.
    assert (Email.objects.count(), Log.objects.count(), Attachment.objects.count()) == (2, 2, 1)
    assert len(list(_all_files(attachment_storage(), ""))) == 1
    # The private link is dead.
    assert web.get(manage).status_code == 404


def test_the_retention_command_leaves_no_trace(forum, dien_bien, web, client, organiser):
    forum_person, _manage, forum_secrets = _use_it_fully(web, client, forum, organiser, "f")
    dien_bien_person, _manage, db_secrets = _use_it_fully(
        web, client, dien_bien, organiser, "d", choices=()
    )
    assert len(found(stems("f") + stems("d"))) > 0

    out = io.StringIO()
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC)):  # long after both events
        call_command("purge_registrations", "--event", "dien-bien-2024", "--older-than", "12",
                     stdout=out)
    assert out.getvalue() == "dien-bien-2024: 1 registration(s)\n1 registration(s) erased.\n"
    assert found(stems("d") + db_secrets) == []
    assert {needle for _where, needle in found(stems("f"))} == set(stems("f"))

    out = io.StringIO()
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC)):
        call_command("purge_registrations", "--older-than", "12", stdout=out)
    assert out.getvalue() == (
        "dien-bien-2024: 0 registration(s)\nzccf-2022: 1 registration(s)\n"
        "1 registration(s) erased.\n"
    )
    assert found(stems("f") + forum_secrets) == []
    assert Registration.objects.filter(erased_at__isnull=False).count() == 2
    assert (Email.objects.count(), Log.objects.count(), Attachment.objects.count()) == (0, 0, 0)
    assert list(Registration.objects.order_by("event__slug").values_list(
        "event__slug", "status", "country", "sector")) == [
        ("dien-bien-2024", "cancelled", "JP", "local_government"),
        ("zccf-2022", "cancelled", "JP", "local_government"),
    ]
    assert mail.outbox[-1].to == [markers("d")["email"]]  # nobody was emailed by the purge


# The Điện Biên workshop has programme days but no sessions: it ends when its
# last day ends in Hanoi (12 January 2024, 24:00 +07 = 17:00 UTC).
DIEN_BIEN_END = datetime(2024, 1, 12, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "erased"),
    [
        (DIEN_BIEN_END + timedelta(days=366) - timedelta(seconds=1), 0),  # 2024 is a leap year
        (DIEN_BIEN_END + timedelta(days=366) + timedelta(seconds=1), 1),
    ],
)
def test_an_event_without_sessions_is_dated_by_its_last_day(dien_bien, web, now, erased):
    assert not dien_bien.sessions.exists()
    assert list(Day.objects.filter(event=dien_bien).values_list("date", flat=True)) == [
        datetime(2024, 1, 12).date()
    ]
    web.post("/en/events/dien-bien-2024/register/", form_data(dien_bien, choices=()))
    # 12 months after 12 January 2024, 17:00 UTC is 12 January 2025, 17:00 UTC.
    with mock.patch(
        "registration.management.commands.purge_registrations.timezone.now", return_value=now
    ):
        out = io.StringIO()
        call_command("purge_registrations", "--event", "dien-bien-2024", stdout=out)
    assert out.getvalue().endswith(f"{erased} registration(s) erased.\n")
    assert Registration.objects.filter(erased_at__isnull=False).count() == erased


def test_an_event_with_sessions_is_dated_by_its_last_session(forum, web):
    web.post("/en/events/zccf-2022/register/", form_data(forum))
    last_end = forum.sessions.order_by("-end").first().end
    for now, erased in ((last_end + timedelta(days=365), 0), (last_end + timedelta(days=366), 1)):
        with mock.patch(
            "registration.management.commands.purge_registrations.timezone.now",
            return_value=now,
        ):
            call_command("purge_registrations", "--older-than", "12", stdout=io.StringIO())
        assert Registration.objects.filter(erased_at__isnull=False).count() == erased


def test_purge_refuses_an_unknown_event(db):
    with pytest.raises(CommandError, match="No event with the slug 'nope'"):
        call_command("purge_registrations", "--event", "nope")
