"""Private links: only their digest is stored, organisers can neither read nor redirect them.

An organiser in the admin (or anyone with a database dump) must not be able to
open a registrant's private page: no lookup on the token's fields, no clear
token in the table, private links masked in the stored emails, and no way to
rewrite a queued email's recipients.
"""

import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from post_office.models import Email

from registration import emails, services, tokens
from registration.models import Registration
from tests.registration_support import (
    CommitClient,
    confirmation_path,
    manage_path,
    sign_up,
)
from tests.test_organisers_group import organisers_group

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/registration/registration/"
OUTBOX = "/admin/post_office/email/"


@pytest.fixture
def organiser_client(client):
    user = get_user_model().objects.create_user(
        "organiser", "o@example.org", "pw-Forum-2022", is_staff=True
    )
    user.groups.add(organisers_group())
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("root", "r@example.org", "pw-Forum-2022")
    client.force_login(user)
    return client


@pytest.fixture
def hanako(forum, capture):
    registration = sign_up(capture, forum)
    return Registration.objects.get(pk=registration.pk)


def _link_token(message):
    return manage_path(message).split("/")[-2]


def test_the_table_holds_the_digest_and_never_the_token(hanako):
    token = _link_token(mail.outbox[-1])
    assert "token" not in {field.name for field in Registration._meta.get_fields()}
    row = Registration.objects.filter(pk=hanako.pk).values().get()
    assert row["token_digest"] == tokens.digest(token)
    assert token not in {str(value) for value in row.values()}
    assert services.find_by_token(token).pk == hanako.pk


@pytest.mark.parametrize("lookup", ["token_digest__regex", "token_digest__startswith",
                                    "token_salt__regex", "token_salt", "public_id__startswith"])
def test_lookups_on_the_private_link_are_refused_in_the_admin(organiser_client, hanako, lookup):
    response = organiser_client.get(CHANGELIST, {lookup: "^a"})
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


def test_lookups_that_the_list_offers_still_work(organiser_client, hanako):
    response = organiser_client.get(CHANGELIST, {"status__exact": "confirmed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [hanako]


def test_the_registration_page_in_the_admin_shows_no_secret(organiser_client, hanako):
    token = _link_token(mail.outbox[-1])
    page = organiser_client.get(f"{CHANGELIST}{hanako.pk}/change/").content.decode()
    assert hanako.email in page
    for secret in (token, hanako.token_digest, hanako.token_salt):
        assert secret not in page


def test_asking_for_the_link_issues_a_fresh_token_and_kills_the_old_one(client, hanako,
                                                                         capture):
    old = _link_token(mail.outbox[-1])
    mail.outbox.clear()
    response = CommitClient(client, capture).post(
        "/en/registration/link/", {"email": "hanako@example.jp"}
    )
    assert response.status_code == 302
    [message] = mail.outbox
    new = _link_token(message)
    assert new != old
    assert client.get(f"/en/registration/{old}/").status_code == 404
    page = client.get(f"/en/registration/{new}/")
    assert page.status_code == 200
    assert f'action="/en/registration/{new}/cancel/"' not in page.content.decode()
    assert f'href="/en/registration/{new}/cancel/"' in page.content.decode()


def test_a_registration_from_before_the_upgrade_keeps_its_link_until_the_next_email(
    hanako, client, capture
):
    # What the migration leaves: the digest of a random token, no salt.
    legacy = secrets.token_urlsafe(32)
    Registration.objects.filter(pk=hanako.pk).update(
        token_digest=tokens.digest(legacy), token_salt=""
    )
    page = client.get(f"/en/registration/{legacy}/")
    assert page.status_code == 200
    assert f'href="/en/registration/{legacy}/cancel/"' in page.content.decode()
    mail.outbox.clear()
    with capture(execute=True):
        emails.send_reminder(Registration.objects.get(pk=hanako.pk))
    fresh = _link_token(mail.outbox[-1])
    assert fresh != legacy
    assert client.get(f"/en/registration/{fresh}/").status_code == 200
    assert client.get(f"/en/registration/{legacy}/").status_code == 404


def test_the_confirmation_link_carries_the_public_id_not_the_sequential_id(forum, capture,
                                                                          client):
    registration = sign_up(capture, forum, email="an@example.vn", confirm=False)
    path = confirmation_path(mail.outbox[-1])
    value = path.split("/")[-2]
    assert value.split(":")[0] == str(registration.public_id)
    assert client.get(path).status_code == 200
    response = CommitClient(client, capture).post(path)
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_organisers_see_stored_emails_with_private_links_masked(organiser_client, hanako):
    token = _link_token(mail.outbox[-1])
    email = Email.objects.filter(to=["hanako@example.jp"]).order_by("pk").last()
    assert token in email.message  # stored as sent
    page = organiser_client.get(f"{OUTBOX}{email.pk}/change/").content.decode()
    assert token not in page
    assert "/registration/[private]/" in page
    preview = organiser_client.get(f"{OUTBOX}{email.pk}/preview/").content.decode()
    assert token not in preview
    assert "/registration/[private]/" in preview


def test_confirmation_links_in_stored_emails_are_masked_too(organiser_client, forum, capture):
    sign_up(capture, forum, email="an@example.vn", confirm=False)
    value = confirmation_path(mail.outbox[-1]).split("/")[-2]
    email = Email.objects.get(to=["an@example.vn"])
    page = organiser_client.get(f"{OUTBOX}{email.pk}/change/").content.decode()
    assert value not in page
    assert "/registration/confirm/[private]/" in page


def test_organisers_cannot_change_a_stored_email(organiser_client, hanako):
    email = Email.objects.filter(to=["hanako@example.jp"]).last()
    response = organiser_client.post(f"{OUTBOX}{email.pk}/change/", {
        "from_email": "x@evil.example", "to": "x@evil.example", "bcc": "x@evil.example",
        "priority": "2", "status": "2", "scheduled_time_0": "", "scheduled_time_1": "",
    })
    assert response.status_code == 403
    assert organiser_client.get(f"{OUTBOX}{email.pk}/resend/").status_code == 403
    email.refresh_from_db()
    assert (email.from_email, email.to, email.bcc) == (
        "Forum site <noreply@localhost>", ["hanako@example.jp"], []
    )


def test_nobody_can_rewrite_the_sender_or_recipients_in_the_admin(superuser_client, hanako):
    email = Email.objects.filter(to=["hanako@example.jp"]).order_by("pk").first()  # no file
    [log] = email.logs.all()
    response = superuser_client.post(f"{OUTBOX}{email.pk}/change/", {
        "from_email": "x@evil.example", "to": "x@evil.example", "bcc": "x@evil.example",
        "headers": '{"Bcc": "x@evil.example"}',
        "priority": "2", "status": "2", "scheduled_time_0": "", "scheduled_time_1": "",
        "Attachment_emails-TOTAL_FORMS": "0", "Attachment_emails-INITIAL_FORMS": "0",
        "logs-TOTAL_FORMS": "1", "logs-INITIAL_FORMS": "1",
        "logs-0-id": str(log.pk), "logs-0-email": str(email.pk),
    })
    assert (response.status_code, response["Location"]) == (302, OUTBOX)  # saved
    email.refresh_from_db()
    assert (email.from_email, email.to, email.bcc, email.headers) == (
        "Forum site <noreply@localhost>", ["hanako@example.jp"], [],
        {"Reply-To": "decarbozingcities@iges.or.jp"},  # the event's contact
    )
    assert email.priority == 2  # what the form may change, it did


@pytest.mark.parametrize("lookup", ["message__contains", "html_message__regex",
                                    "headers__contains"])
def test_stored_email_bodies_cannot_be_searched_by_lookups(organiser_client, hanako, lookup):
    assert organiser_client.get(OUTBOX, {lookup: "registration"}).status_code == 400


def test_masking_leaves_the_rest_of_the_text_alone():
    text = ("Your page: https://forum.example.org/en/registration/" + "a" * 43 + "/ and "
            "https://forum.example.org/en/registration/link/ and webcal://forum.example.org/"
            "registration/" + "b" * 43 + "/calendar.ics")
    assert tokens.mask_links(text) == (
        "Your page: https://forum.example.org/en/registration/[private]/ and "
        "https://forum.example.org/en/registration/link/ and webcal://forum.example.org/"
        "registration/[private]/calendar.ics"
    )
    assert re.search(r"[ab]{43}", tokens.mask_links(text)) is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_digest_and_drops_the_clear_token(
        seed_events, latest_migrations_afterwards):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    before = ("registration", "0005_organisers_see_emails")
    old_apps = migrate(before)
    OldRegistration = old_apps.get_model("registration", "Registration")
    legacy = secrets.token_urlsafe(32)
    OldRegistration.objects.create(
        event_id=seed_events["zccf-2022"].pk, full_name="Old", email="old@example.org",
        email_key="old@example.org", sector="other", privacy_consent_at=timezone.now(),
        status="confirmed", token=legacy, token_digest=tokens.digest(legacy),
    )
    migrate(("registration", "0006_private_tokens_digest_only"))
    with connection.cursor() as cursor:
        columns = {column.name for column in
                   connection.introspection.get_table_description(cursor,
                                                                  "registration_registration")}
    assert "token" not in columns
    row = Registration.objects.get(email="old@example.org")
    assert (row.token_digest, row.token_salt) == (tokens.digest(legacy), "")
    assert row.public_id is not None
    assert services.find_by_token(legacy).pk == row.pk
