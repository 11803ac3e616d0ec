"""The whole registration flow through the test client, emails and links included."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import override_settings
from django.utils import timezone

from registration import tokens
from registration.models import Registration, SessionChoice
from tests.registration_support import (
    choice_data,
    confirmation_path,
    form_data,
    manage_path,
    sign_up,
    urls_in,
)

REGISTER = "/en/events/zccf-2022/register/"
SENT = "/en/events/zccf-2022/register/sent/"


def _choices(registration):
    return sorted(
        (choice.session.slug, choice.status)
        for choice in registration.choices.select_related("session")
    )


def test_register_confirm_and_manage(forum, web):
    response = web.post(REGISTER, form_data(forum))
    assert response.status_code == 302
    assert response["Location"] == SENT

    registration = Registration.objects.get()
    assert registration.status == Registration.Status.PENDING
    assert registration.full_name == "山田 花子"
    assert registration.organisation == "横浜市"
    assert registration.channel == "ja"
    assert _choices(registration) == [
        ("parallel-session-1", "inactive"),
        ("parallel-session-3", "inactive"),
    ]

    page = web.get(SENT)
    assert page.status_code == 200
    assert "Check your email" in page.content.decode()

    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "Confirm your registration for Zero Carbon City International Forum"
    assert "Dear 山田 花子," in message.body
    assert "The link works for 7 days." in message.body
    confirm = confirmation_path(message)
    assert confirm.startswith("/en/registration/confirm/")
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    assert f'href="http://localhost:8000{confirm}"' in html

    # Opening the link shows what will be confirmed; it takes no seat by itself.
    page = web.get(confirm)
    assert page.status_code == 200
    assert "Confirm my registration" in page.content.decode()
    assert Registration.objects.get().status == Registration.Status.PENDING
    assert len(mail.outbox) == 1

    response = web.post(confirm)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.seat_requested_at is not None
    assert response.status_code == 302
    assert response["Location"] == f"/en/registration/{registration.token}/"
    assert _choices(registration) == [
        ("parallel-session-1", "confirmed"),
        ("parallel-session-3", "confirmed"),
    ]

    [_, outcome] = mail.outbox
    assert outcome.subject == "You are registered: Zero Carbon City International Forum"
    assert "Your place at Zero Carbon City International Forum is confirmed." in outcome.body
    assert manage_path(outcome) == f"/en/registration/{registration.token}/"
    assert (
        f"webcal://localhost:8000/registration/{registration.token}/calendar.ics"
        in urls_in(outcome.body)
    )

    page = web.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your place is confirmed." in text
    assert "山田 花子" in text
    assert page["Cache-Control"].count("no-store") == 1
    assert "private" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    # Parallel session 1 in each display zone, as machine-readable times too.
    assert (
        '<ul class="plain time-list"><li>'
        '<time datetime="2022-03-10">Thursday 10 March 2022</time>, <span class="time-range">'
        '<time datetime="2022-03-10T07:10:00-05:00">07:10</time>–'
        '<time datetime="2022-03-10T08:00:00-05:00">08:00</time> '
        '<abbr class="zone" title="America/New_York (UTC−5)">EST</abbr></span></li>'
        '<li><time datetime="2022-03-10">Thursday 10 March 2022</time>, <span class="time-range">'
        '<time datetime="2022-03-10T21:10:00+09:00">21:10</time>–'
        '<time datetime="2022-03-10T22:00:00+09:00">22:00</time> '
        '<abbr class="zone" title="Asia/Tokyo (UTC+9)">JST</abbr></span></li></ul>'
    ) in text

    # Confirming again changes nothing and sends nothing.
    again = web.post(confirm)
    assert again.status_code == 302
    assert len(mail.outbox) == 2


def test_duplicate_address_gets_identical_response_and_its_private_link(forum, web):
    first = web.post(REGISTER, form_data(forum))
    web.post(confirmation_path(mail.outbox[0]))
    registration = Registration.objects.get()
    mail.outbox.clear()

    second = web.post(
        REGISTER,
        form_data(forum, full_name="Someone Else", email="HANAKO@example.jp ",
                  choices=("parallel-session-2", "parallel-session-4")),
    )
    assert second.status_code == first.status_code == 302
    assert second["Location"] == first["Location"]
    assert second.content == first.content
    assert web.get(second["Location"]).content == web.get(first["Location"]).content

    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "Your registration for Zero Carbon City International Forum"
    assert manage_path(message) == f"/en/registration/{registration.token}/"
    assert "/registration/confirm/" not in message.body
    # The stored registration is untouched.
    registration.refresh_from_db()
    assert registration.full_name == "山田 花子"
    assert registration.status == Registration.Status.CONFIRMED
    assert _choices(registration)[0] == ("parallel-session-1", "confirmed")
    assert Registration.objects.count() == 1


def test_pending_address_registering_again_gets_a_fresh_confirmation(forum, web):
    web.post(REGISTER, form_data(forum))
    web.post(REGISTER, form_data(forum, full_name="山田 花子 (corrected)"))
    assert Registration.objects.get().full_name == "山田 花子 (corrected)"
    assert [m.subject for m in mail.outbox] == [
        "Confirm your registration for Zero Carbon City International Forum"
    ] * 2


def test_change_choices_preferences_and_calendar_links(forum, web, capture):
    registration = sign_up(capture, forum)
    manage = f"/en/registration/{registration.token}/"
    response = web.post(
        manage + "choices/", choice_data(forum, ("parallel-session-2", "parallel-session-3"))
    )
    assert response.status_code == 302
    assert response["Location"] == manage
    assert _choices(registration) == [
        ("parallel-session-2", "confirmed"),
        ("parallel-session-3", "confirmed"),
    ]
    page = web.get(manage).content.decode()
    assert "Your choices are saved." in page

    response = web.post(manage + "preferences/", {"language": "vi", "channel": "en"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.language, registration.channel) == ("vi", "en")

    page = web.get(manage).content.decode()
    assert f'href="webcal://testserver/registration/{registration.token}/calendar.ics"' in page
    assert f'href="http://testserver/registration/{registration.token}/calendar.ics"' in page


def test_invalid_choices_post_is_a_400_and_changes_nothing(forum, web, capture):
    registration = sign_up(capture, forum)
    manage = f"/en/registration/{registration.token}/"
    slot = next(iter(choice_data(forum, ("parallel-session-1",))))
    response = web.post(manage + "choices/", {slot: "999999"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Choose one of the sessions listed." in text
    assert "Choose one of the sessions running at this time." in text
    assert _choices(registration) == [
        ("parallel-session-1", "confirmed"),
        ("parallel-session-3", "confirmed"),
    ]


def test_cancel_asks_first_then_cancels_and_emails(forum, web, capture):
    registration = sign_up(capture, forum)
    mail.outbox.clear()
    manage = f"/en/registration/{registration.token}/"
    page = web.get(manage + "cancel/")
    assert page.status_code == 200
    assert Registration.objects.get().status == Registration.Status.CONFIRMED

    response = web.post(manage + "cancel/")
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert set(registration.choices.values_list("status", flat=True)) == {"inactive"}
    [message] = mail.outbox
    assert message.subject == (
        "Your registration is cancelled: Zero Carbon City International Forum"
    )
    assert "http://localhost:8000/en/events/zccf-2022/register/" in urls_in(message.body)
    page = web.get(manage).content.decode()
    assert "Your registration is cancelled." in page
    assert "Register again" in page

    # Registering again with a cancelled address starts over with a new confirmation.
    mail.outbox.clear()
    web.post(REGISTER, form_data(forum))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert mail.outbox[0].subject.startswith("Confirm your registration")


def test_erase_removes_personal_data_and_keeps_counts(forum, web, capture):
    registration = sign_up(capture, forum)
    manage = f"/en/registration/{registration.token}/"
    token = registration.token
    assert web.get(manage + "erase/").status_code == 200
    response = web.post(manage + "erase/")
    assert response.status_code == 302
    assert response["Location"] == "/en/registration/erased/"
    assert web.get(response["Location"]).status_code == 200

    registration.refresh_from_db()
    assert registration.is_erased
    assert registration.status == Registration.Status.CANCELLED
    assert (registration.full_name, registration.email, registration.organisation,
            registration.position, registration.token, registration.token_digest) == (
        "", "", "", "", "", ""
    )
    # The anonymous facts stay for the organisers' counts.
    assert (registration.sector, registration.country.code, registration.channel) == (
        "local_government", "JP", "ja"
    )
    assert registration.choices.count() == 2
    assert Registration.objects.filter(event=forum).count() == 1
    # The private link and the feed stop working.
    assert web.get(f"/en/registration/{token}/").status_code == 404
    assert web.get(f"/registration/{token}/calendar.ics").status_code == 404


@pytest.mark.parametrize(
    "token",
    ["x" * 43, "short", "a" * 10_000, "%00" + "a" * 40, '"><img src=x onerror=alert(1)>'],
)
def test_unknown_private_tokens_get_a_404_page_with_a_new_link_form(forum, web, token):
    response = web.get(f"/en/registration/{token}/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "This link does not work" in text
    assert 'action="/en/registration/link/"' in text
    assert "<img src=x" not in text


def test_tampered_and_expired_confirmation_links(forum, web, capture):
    registration = sign_up(capture, forum, confirm=False)
    value = tokens.sign_confirmation(registration.pk)
    tampered = value[:-1] + ("A" if value[-1] != "A" else "B")
    response = web.get(f"/en/registration/confirm/{tampered}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert web.post(f"/en/registration/confirm/{tampered}/").status_code == 404

    other = signing.TimestampSigner(salt="something.else").sign(str(registration.pk))
    assert web.get(f"/en/registration/confirm/{other}/").status_code == 404

    eight_days_ago = timezone.now() - timedelta(days=8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: eight_days_ago.timestamp())
        old = tokens.sign_confirmation(registration.pk)
    response = web.get(f"/en/registration/confirm/{old}/")
    assert response.status_code == 410
    text = response.content.decode()
    assert "This link has expired" in text
    assert 'action="/en/registration/link/"' in text
    assert web.post(f"/en/registration/confirm/{old}/").status_code == 410
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


def test_request_link_is_neutral_and_emails_only_known_addresses(forum, web, capture):
    registration = sign_up(capture, forum)
    mail.outbox.clear()
    known = web.post("/en/registration/link/", {"email": "Hanako@Example.jp"})
    unknown = web.post("/en/registration/link/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/en/registration/link/sent/"
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    registration.refresh_from_db()  # a fresh token: the old link no longer works
    assert manage_path(message) == f"/en/registration/{registration.token}/"


def test_request_link_for_a_pending_registration_sends_a_fresh_confirmation(forum, web, capture):
    sign_up(capture, forum, confirm=False)
    mail.outbox.clear()
    web.post("/en/registration/link/", {"email": "hanako@example.jp"})
    [message] = mail.outbox
    confirm = confirmation_path(message)
    web.post(confirm)
    assert Registration.objects.get().status == Registration.Status.CONFIRMED


def test_waitlisted_flow_says_so_plainly(forum, web, capture):
    forum.capacity = 1
    forum.save()
    sign_up(capture, forum, email="first@example.org")
    mail.outbox.clear()
    web.post(REGISTER, form_data(forum, email="second@example.org"))
    response = web.post(confirmation_path(mail.outbox[0]))
    registration = Registration.objects.get(email="second@example.org")
    assert registration.status == Registration.Status.WAITLISTED
    assert set(registration.choices.values_list("status", flat=True)) == {
        SessionChoice.Status.INACTIVE
    }
    outcome = mail.outbox[1]
    assert outcome.subject == "You are on the waiting list: Zero Carbon City International Forum"
    assert (
        "Zero Carbon City International Forum is full: you are on the waiting list, "
        "first in line." in outcome.body
    )
    assert outcome.attachments == []  # no sessions yet, so no calendar
    page = web.get(response["Location"]).content.decode()
    assert "you are on the waiting list, first in line" in page


def test_manage_page_in_another_language_uses_the_prefix(forum, web, capture):
    registration = sign_up(capture, forum)
    page = web.get(f"/ja/registration/{registration.token}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<html lang="ja">' in text
    assert "ゼロカーボンシティ国際フォーラム" in text


@override_settings(SITE_URL="https://forum.example.org")
def test_email_links_use_the_site_url_and_the_registrant_language(forum, web):
    web.post(REGISTER, form_data(forum, language="vi"))
    [confirm] = [u for u in urls_in(mail.outbox[0].body) if "/confirm/" in u]
    assert confirm.startswith("https://forum.example.org/vi/registration/confirm/")
    web.post(confirm.removeprefix("https://forum.example.org"))
    registration = Registration.objects.get()
    assert (
        f"https://forum.example.org/vi/registration/{registration.token}/"
        in urls_in(mail.outbox[1].body)
    )
