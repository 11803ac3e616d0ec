"""Journey: register, confirm from the email, change a parallel choice, cancel."""

import re

import pytest

from agenda.models import Session
from registration.models import Registration
from tests.browser.conftest import link_in

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "hanako.yamada@example.jp"


def chosen_sessions(registration):
    return sorted(choice.session.slug for choice in registration.choices.all())


def test_an_empty_form_gets_an_error_summary_tied_to_each_field(page, forum):
    page.goto("/en/events/zccf-2022/register/")
    page.get_by_role("button", name="Register").click()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error:")
    links = summary.locator("a")
    assert links.count() >= 6
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")
        assert target.startswith("#")
        field = page.locator(target)
        assert field.count() == 1, f"the summary links to {target}, which is not on the page"
        # The field says which error belongs to it, through aria-describedby
        # on the field or on its fieldset.
        described = field.get_attribute("aria-describedby") or field.locator(
            "xpath=ancestor::fieldset").get_attribute("aria-describedby") or ""
        error_ids = [i for i in described.split() if i.endswith("_error")]
        assert error_ids, f"{target} is not tied to its error message"
        assert page.locator(f"#{error_ids[0]}").is_visible()

    # Following a link in the summary puts the focus in the field.
    summary.get_by_role("link", name=re.compile("required", re.I)).first.click()
    assert page.evaluate("document.activeElement.id") == "id_full_name"


def test_register_confirm_change_and_cancel(page, forum, mailoutbox):
    page.goto("/en/events/zccf-2022/")
    page.locator("main").get_by_role("link", name="Register").click()
    assert page.url.endswith("/en/events/zccf-2022/register/")

    page.get_by_label("Full name", exact=True).fill("山田 花子")
    page.get_by_label("Email address", exact=True).fill(EMAIL)
    page.get_by_label("Organisation", exact=True).fill("横浜市")
    page.get_by_label("Country", exact=True).select_option("JP")
    page.get_by_label("Local government").check()
    page.get_by_role("group", name="Language for emails").locator("[value='en']").check()
    page.get_by_role("group", name="Listening channel").locator("[value='ja']").check()
    first, second, third, _fourth = (
        Session.objects.get(event=forum, slug=f"parallel-session-{n}") for n in (1, 2, 3, 4)
    )
    page.get_by_label(first.title_en, exact=True).check()
    page.get_by_label(third.title_en, exact=True).check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    page.wait_for_url("**/en/events/zccf-2022/register/sent/")
    assert page.locator("h1").inner_text() == "Check your email"
    assert len(mailoutbox) == 1
    request = mailoutbox[0]
    assert request.to == [EMAIL]
    registration = Registration.objects.get(email=EMAIL)
    assert registration.status == Registration.Status.PENDING

    # The link in the email shows what will be confirmed; the button confirms.
    page.goto(link_in(request))
    assert "山田 花子" in page.locator("main").inner_text()
    page.get_by_role("button", name="Confirm my registration").click()
    page.wait_for_url(re.compile(r"/en/registration/[\w-]{43}/$"))
    private_url = page.url
    assert page.locator(".registration-status").inner_text().count("Your place is confirmed.") == 1
    choices = page.locator(".registration-choices").inner_text()
    assert first.title_en in choices and third.title_en in choices
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert chosen_sessions(registration) == ["parallel-session-1", "parallel-session-3"]

    # Change the first parallel choice.
    change = page.locator("form[action$='/choices/']")
    change.get_by_label(second.title_en, exact=True).check()
    change.get_by_role("button", name="Save my choices").click()
    page.wait_for_url(private_url)
    assert page.locator(".messages").inner_text().strip() == "Your choices are saved."
    choices = page.locator(".registration-choices").inner_text()
    assert second.title_en in choices and first.title_en not in choices
    assert chosen_sessions(registration) == ["parallel-session-2", "parallel-session-3"]

    # Cancel: the page asks first, then cancels.
    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    page.wait_for_url(private_url)
    assert "Your registration is cancelled." in page.locator(".registration-status").inner_text()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert page.get_by_role("link", name="Register again").is_visible()
    # Emails along the way, every one to the registrant alone.
    assert [message.subject for message in mailoutbox] == [
        "Confirm your registration for Zero Carbon City International Forum",
        "You are registered: Zero Carbon City International Forum",
        "Your registration is cancelled: Zero Carbon City International Forum",
    ]
    assert {tuple(message.to) for message in mailoutbox} == {(EMAIL,)}
