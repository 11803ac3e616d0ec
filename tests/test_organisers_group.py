"""The "Organisers" group: edit the programme, view registrations, run their actions."""

import csv
import io
from datetime import datetime
from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agenda.models import Session
from registration.models import Registration
from tests.factories import make_day, make_event, make_session
from tests.registration_support import sign_up
from tests.test_admin import session_form

REGISTRATIONS = "/admin/registration/registration/"

EXPECTED = {
    ("agenda", f"{action}_{model}")
    for model in ("event", "day", "session", "speaker", "sessionspeaker", "organisation",
                  "eventorganisation")
    for action in ("add", "change", "delete", "view")
} | {
    ("registration", "view_registration"),
    ("registration", "view_sessionchoice"),
    ("registration", "view_remindersent"),
    ("registration", "view_changenotice"),
    ("agenda", "view_sessionchange"),
}
# registration/migrations/0005_organisers_see_emails.py: the outbox; 0006 takes
# change_email back (it let an organiser rewrite a queued email's recipients).
EMAIL_PERMISSIONS = {
    ("post_office", "view_email"),
    ("post_office", "view_log"),
}


def organisers_group():
    """The Organisers group, created as the migration does if a test removed it.

    Every test starts with the group (transactional ones get it back through
    serialized_rollback, see tests/conftest.py); a test that deletes it, or
    migrates it away, gets it back here.
    """
    from django.apps import apps

    migration = import_module("registration.migrations.0006_private_tokens_digest_only")
    if not Group.objects.filter(name=migration.GROUP_NAME).exists():
        migration.set_permissions(apps, migration.ORGANISER_PERMISSIONS)
    return Group.objects.get(name=migration.GROUP_NAME)


def permissions_of(group):
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.fixture
def organiser(db):
    user = get_user_model().objects.create_user(
        "organiser", "o@example.org", "pw-Forum-2022", is_staff=True
    )
    user.groups.add(organisers_group())
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def people(forum, capture):
    """Two confirmed forum registrants and one waiting (capacity 2)."""
    forum.capacity = 2
    forum.save()
    sign_up(capture, forum, email="hanako@example.jp", full_name="山田 花子")
    sign_up(capture, forum, email="an@example.vn", full_name="Nguyễn Văn An", country="VN")
    sign_up(capture, forum, email="late@example.org", full_name="Late Comer", country="FR")
    mail.outbox.clear()
    return {r.email: r for r in Registration.objects.all()}


@pytest.mark.django_db
def test_the_group_exists_after_migrating_with_exactly_its_permissions():
    group = Group.objects.get(name="Organisers")
    assert permissions_of(group) == EXPECTED | EMAIL_PERMISSIONS
    assert len(EXPECTED | EMAIL_PERMISSIONS) == 35
    assert not group.permissions.filter(content_type__app_label__in=["auth", "admin"]).exists()


# Transactional (the schema changes): the database is emptied afterwards and
# the next transactional test starts from the serialized seed data again.
@pytest.mark.django_db(transaction=True)
def test_migrating_registration_to_zero_removes_the_group_and_back_restores_it(
        latest_migrations_afterwards):
    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])

    migrate(("registration", "0001_initial"))
    assert not Group.objects.filter(name="Organisers").exists()
    migrate(("registration", None))
    assert not Group.objects.filter(name="Organisers").exists()
    migrate(("registration", "0003_organisers_group"))
    assert permissions_of(Group.objects.get(name="Organisers")) == EXPECTED
    migrate(("registration", "0005_organisers_see_emails"))
    assert permissions_of(Group.objects.get(name="Organisers")) == (
        EXPECTED | EMAIL_PERMISSIONS | {("post_office", "change_email")}
    )
    migrate(("registration", "0004_registration_email"))
    assert permissions_of(Group.objects.get(name="Organisers")) == EXPECTED
    migrate(("registration", "0006_private_tokens_digest_only"))
    assert permissions_of(Group.objects.get(name="Organisers")) == EXPECTED | EMAIL_PERMISSIONS


# The programme -----------------------------------------------------------------


@pytest.mark.django_db
def test_an_organiser_edits_a_session(organiser_client):
    day = make_day(make_event("organiser-event"))
    session = make_session(day, datetime(2022, 3, 9, 20, 0), minutes=10, slug="opening")
    response = organiser_client.post(
        f"/admin/agenda/session/{session.pk}/change/",
        session_form(day, datetime(2022, 3, 9, 20, 0), datetime(2022, 3, 9, 20, 30),
                     slug="opening", title="Opening, longer"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.duration.total_seconds()) == ("Opening, longer", 1800)
    for page in ("event", "day", "speaker", "organisation"):
        assert organiser_client.get(f"/admin/agenda/{page}/add/").status_code == 200


# Registrations: read-only, but the actions run ---------------------------------------


def test_an_organiser_sees_a_registration_read_only(organiser_client, people):
    hanako = people["hanako@example.jp"]
    response = organiser_client.get(f"{REGISTRATIONS}{hanako.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "山田 花子" in html
    assert 'name="full_name"' not in html  # shown as text, not as a field
    assert 'name="_save"' not in html
    assert response.context["has_change_permission"] is False


def test_an_organiser_cannot_change_or_delete_a_registration(organiser_client, people):
    hanako = people["hanako@example.jp"]
    response = organiser_client.post(
        f"{REGISTRATIONS}{hanako.pk}/change/",
        {"full_name": "Someone else", "email": "x@example.org", "sector": "other",
         "language": "en", "choices-TOTAL_FORMS": "0", "choices-INITIAL_FORMS": "0",
         "reminders-TOTAL_FORMS": "0", "reminders-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 403
    assert organiser_client.get(f"{REGISTRATIONS}{hanako.pk}/delete/").status_code == 403
    assert organiser_client.post(f"{REGISTRATIONS}{hanako.pk}/delete/",
                                 {"post": "yes"}).status_code == 403
    assert Registration.objects.get(pk=hanako.pk).full_name == "山田 花子"


def test_an_organiser_is_offered_every_action_but_delete(organiser_client, people):
    response = organiser_client.get(REGISTRATIONS)
    assert response.status_code == 200
    choices = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert choices == [
        "", "resend_confirmation", "cancel_registrations", "promote_selected", "fill_free_seats",
        "export_csv", "export_xlsx",
    ]


def test_an_organiser_exports_csv(organiser_client, people):
    response = organiser_client.post(
        REGISTRATIONS,
        {"action": "export_csv", "_selected_action": [r.pk for r in people.values()]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[3] for row in rows[1:]] == ["山田 花子", "Nguyễn Văn An", "Late Comer"]


def test_an_organiser_cancels_and_the_waiting_person_is_promoted(organiser_client, people,
                                                                 capture):
    with capture(execute=True):
        response = organiser_client.post(
            REGISTRATIONS,
            {"action": "cancel_registrations", "_selected_action": [people["an@example.vn"].pk]},
        )
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("email", "status"))
    assert statuses == {
        "hanako@example.jp": "confirmed", "an@example.vn": "cancelled",
        "late@example.org": "confirmed",
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.vn", "late@example.org"]


def test_an_organiser_resends_a_confirmation(organiser_client, people, capture):
    with capture(execute=True):
        organiser_client.post(
            REGISTRATIONS,
            {"action": "resend_confirmation",
             "_selected_action": [people["hanako@example.jp"].pk]},
        )
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]


def test_an_organiser_sees_the_dashboard_and_downloads_its_tables(organiser_client, people,
                                                                   forum):
    dashboard = f"/admin/registration/registration/dashboard/{forum.pk}/"
    response = organiser_client.get(dashboard)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2 id=\"section-totals\">" in html
    assert f'href="{dashboard}totals.csv" download' in html
    totals = organiser_client.get(f"{dashboard}totals.csv")
    assert totals.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(totals.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["Status", "Registrations"],
        ["Awaiting email confirmation", "0"],
        ["Confirmed", "2"],
        ["On the waiting list", "1"],
        ["Cancelled", "0"],
        ["Total", "3"],
        ["of which personal data erased", "0"],
        ["Event capacity", "2"],
    ]


# Accounts stay with superusers ---------------------------------------------------


@pytest.mark.django_db
def test_an_organiser_cannot_manage_users_or_groups(organiser_client, organiser):
    for address in ("/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/",
                    f"/admin/auth/user/{organiser.pk}/change/"):
        assert organiser_client.get(address).status_code == 403, address
    assert "/admin/auth/" not in organiser_client.get("/admin/").content.decode()


def test_a_superuser_still_changes_registrations(admin_client, people):
    hanako = people["hanako@example.jp"]
    response = admin_client.get(f"{REGISTRATIONS}{hanako.pk}/change/")
    assert 'name="full_name"' in response.content.decode()
    assert Session.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_group_can_be_put_back_after_a_flush():
    Group.objects.filter(name="Organisers").delete()
    assert permissions_of(organisers_group()) == EXPECTED | EMAIL_PERMISSIONS


@pytest.mark.django_db
def test_an_organiser_sees_unsent_emails_and_requeues_one(organiser_client, forum, settings,
                                                         capture):
    from post_office.models import STATUS, Email

    settings.EMAIL_BACKEND = "tests.test_email_delivery.RefusingSMTPBackend"
    sign_up(capture, forum, confirm=False)
    email = Email.objects.get()
    assert email.status == STATUS.requeued
    listing = organiser_client.get("/admin/post_office/email/?status__exact=3")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [email]
    response = organiser_client.post(
        "/admin/post_office/email/", {"action": "requeue", "_selected_action": [email.pk]}
    )
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == STATUS.queued
    assert organiser_client.get("/admin/post_office/log/").status_code == 200
