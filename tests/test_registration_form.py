"""The registration form: fields, accessibility, validation, bad input, spam and rate limits."""

import pytest
from django.core import mail

from agenda.models import Session
from registration import services
from registration.forms import RegistrationForm
from registration.models import Registration
from tests.registration_support import choice_data, form_data, slot_field_names

REGISTER = "/en/events/zccf-2022/register/"


def test_form_fields_labels_and_autocomplete(forum, web):
    response = web.get(REGISTER)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="post" action="/en/events/zccf-2022/register/"' in html
    assert "novalidate" in html
    assert '<label for="id_full_name">Full name</label>' in html
    assert 'autocomplete="name"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="organization"' in html
    assert 'autocomplete="organization-title"' in html
    assert 'autocomplete="country"' in html
    # Hints are tied to their inputs.
    assert 'aria-describedby="id_full_name_helptext"' in html
    assert '<p class="hint" id="id_full_name_helptext">As you would like it written' in html
    # Radio groups are fieldsets with legends.
    for legend in (
        "Sector",
        "Language for emails",
        "Listening channel",
        "Parallel sessions at 07:10 EST / 21:10 JST",
        "Parallel sessions at 08:05 EST / 22:05 JST",
    ):
        assert f"<legend>{legend}</legend>" in html
    assert '<label for="id_sector_0">Local government</label>' in html
    assert 'href="/en/events/zccf-2022/privacy/"' in html
    # The honeypot is hidden from people and assistive technology.
    assert '<div class="visually-hidden" aria-hidden="true">' in html
    assert 'name="homepage"' in html and 'tabindex="-1"' in html
    # No inline script.
    assert "<script" not in html


def test_form_defaults_the_email_language_to_the_page_language(forum, web):
    html = web.get("/vi/events/zccf-2022/register/").content.decode()
    assert 'name="language" value="vi" id="id_language_2" required checked' in html


def test_language_names_are_marked_in_their_own_language_and_composed(forum, web):
    html = web.get("/en/events/zccf-2022/register/").content.decode()
    assert '<label for="id_language_0" lang="en">English</label>' in html
    assert '<label for="id_language_1" lang="ja">日本語</label>' in html
    assert '<label for="id_language_2" lang="vi">Ti\u1ebfng Vi\u1ec7t</label>' in html
    # The seed lists Japanese first.
    assert '<label for="id_channel_0" lang="ja">日本語</label>' in html
    # Sector labels are in the page's language, so they carry no lang of their own.
    assert '<label for="id_sector_0">' in html


def test_event_without_interpretation_or_parallel_sessions(dien_bien, web):
    html = web.get("/en/events/dien-bien-2024/register/").content.decode()
    assert 'name="channel"' not in html
    assert "slot_" not in html
    response = web.post(
        "/en/events/dien-bien-2024/register/",
        form_data(dien_bien, full_name="Nguyễn Thị Hương", email="huong@example.vn",
                  country="VN", language="vi"),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.full_name == "Nguyễn Thị Hương"
    assert registration.channel == ""
    assert registration.choices.count() == 0


def _errors(response):
    return response.content.decode()


def test_missing_consent_is_an_error_beside_the_field_and_in_the_summary(forum, web):
    data = form_data(forum)
    del data["privacy_consent"]
    response = web.post(REGISTER, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: Register for Zero Carbon City International Forum</title>" in html
    # The summary takes the focus, so screen readers and keyboards start there.
    assert ('<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
            'tabindex="-1" autofocus>') in html
    assert (
        '<li><a href="#id_privacy_consent">You must accept the privacy notice to register.</a></li>'
        in html
    )
    assert (
        '<p class="error-message" id="id_privacy_consent_error"><span class="visually-hidden">'
        "Error:</span> You must accept the privacy notice to register.</p>" in html
    )
    assert 'aria-invalid="true"' in html
    # Nothing typed is lost.
    assert 'value="山田 花子"' in html
    assert 'value="hanako@example.jp"' in html
    assert 'value="横浜市"' in html
    assert '<option value="JP" selected>' in html
    assert 'value="local_government" id="id_sector_0" required checked' in html
    slot = slot_field_names(forum)[0]
    chosen = choice_data(forum, ("parallel-session-1",))[slot]
    assert f'name="{slot}" value="{chosen}" id="id_{slot}_0" required checked' in html
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_invalid_email(forum, web):
    response = web.post(REGISTER, form_data(forum, email="not an address"))
    assert response.status_code == 400
    assert '<li><a href="#id_email">Enter a valid email address.</a></li>' in _errors(response)
    assert Registration.objects.count() == 0


def test_errors_in_the_visitors_language(forum, web):
    data = form_data(forum)
    del data["full_name"]
    response = web.post("/ja/events/zccf-2022/register/", data)
    assert response.status_code == 400
    assert '<a href="#id_full_name">このフィールドは必須です。</a>' in _errors(response)


@pytest.mark.parametrize("field", ["full_name", "organisation", "position"])
def test_ten_thousand_characters_are_refused(forum, web, field):
    response = web.post(REGISTER, form_data(forum, **{field: "長" * 10_000}))
    assert response.status_code == 400
    assert (
        f'<a href="#id_{field}">Ensure this value has at most 200 characters (it has 10000).</a>'
        in _errors(response)
    )
    assert Registration.objects.count() == 0


def test_ten_thousand_character_email_is_refused(forum, web):
    response = web.post(REGISTER, form_data(forum, email="a" * 9_990 + "@example.org"))
    assert response.status_code == 400
    assert '<a href="#id_email">' in _errors(response)
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("field", ["full_name", "email", "organisation", "position", "homepage"])
def test_nul_bytes_are_a_form_error(forum, web, field):
    value = "Yamada\x00Hanako" if field != "email" else "hanako\x00@example.jp"
    response = web.post(REGISTER, form_data(forum, **{field: value}))
    assert response.status_code == 400
    assert "Null characters are not allowed." in _errors(response)
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("field", ["country", "sector", "language", "channel"])
def test_nul_bytes_in_choices_are_a_form_error(forum, web, field):
    response = web.post(REGISTER, form_data(forum, **{field: "ja\x00"}))
    assert response.status_code == 400
    assert f'<a href="#id_{field}' in _errors(response)
    assert Registration.objects.count() == 0


def test_injection_strings_are_stored_as_typed_and_shown_escaped(forum, web):
    name = '<script>alert("x")</script> Robert\'); DROP TABLE registration_registration;--'
    response = web.post(REGISTER, form_data(forum, full_name=name, organisation="{{ 7*7 }}"))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.full_name == name
    assert registration.organisation == "{{ 7*7 }}"
    [message] = mail.outbox
    assert f"Dear {name}," in message.body  # plain text: as typed
    html_mail = message.alternatives[0][0]
    assert "<script>" not in html_mail
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html_mail
    page = web.get(f"/en/registration/{registration.token}/").content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Robert&#x27;); DROP TABLE" in page
    assert "{{ 7*7 }}" in page


@pytest.mark.parametrize(
    "name",
    ["山田 花子", "Nguyễn Văn An", "محمد بن سلمان", "Ólafur Þór", "김민준", "Đặng Thị Ngọc Hà"],
)
def test_names_in_any_script_are_kept_exactly(forum, web, name):
    response = web.post(REGISTER, form_data(forum, full_name=name))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.full_name == name
    assert f"Dear {name}," in mail.outbox[0].body
    assert name in mail.outbox[0].alternatives[0][0]


def test_two_choices_in_one_slot_are_refused(forum, web):
    slot = slot_field_names(forum)[0]
    one = Session.objects.get(event=forum, slug="parallel-session-1")
    two = Session.objects.get(event=forum, slug="parallel-session-2")
    data = form_data(forum)
    data[slot] = [str(one.pk), str(two.pk)]
    response = web.post(REGISTER, data)
    assert response.status_code == 400
    assert (
        f'<a href="#id_{slot}_0">Choose only one of the sessions running at this time.</a>'
        in _errors(response)
    )
    assert Registration.objects.count() == 0


def test_a_slot_needs_a_choice_and_only_its_own_sessions(forum, web):
    first, second = slot_field_names(forum)
    data = form_data(forum)
    del data[first]
    session_four = Session.objects.get(event=forum, slug="parallel-session-4")
    response = web.post(REGISTER, {**data, first: ""})
    assert response.status_code == 400
    assert (
        f'<a href="#id_{first}_0">Choose one of the sessions running at this time.</a>'
        in _errors(response)
    )
    # A session of the other slot is not a choice for this one.
    response = web.post(REGISTER, {**data, first: str(session_four.pk)})
    assert response.status_code == 400
    assert f'<a href="#id_{first}_0">Choose one of the sessions listed.</a>' in _errors(response)
    assert Registration.objects.count() == 0


def test_services_refuse_two_sessions_of_one_slot(forum):
    sessions = list(Session.objects.filter(event=forum, slug__in=[
        "parallel-session-1", "parallel-session-2", "parallel-session-3",
    ]))
    with pytest.raises(services.InvalidChoices) as error:
        services.check_choices(forum, sessions)
    assert str(error.value) == "Choose only one of the sessions running at the same time."
    with pytest.raises(services.InvalidChoices):
        services.check_choices(forum, sessions[:1])
    plenary = Session.objects.get(event=forum, slug="closing-plenary")
    with pytest.raises(services.InvalidChoices):
        services.check_choices(forum, [plenary, *sessions[::2]])


def test_full_session_is_labelled_in_the_form(forum, web, django_capture_on_commit_callbacks):
    from tests.registration_support import sign_up

    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    sign_up(django_capture_on_commit_callbacks, forum, email="first@example.org")
    html = web.get(REGISTER).content.decode()
    assert "— full: you would join its waiting list" in html
    assert html.count("full: you would join its waiting list") == 1


def test_honeypot_pretends_success_and_stores_nothing(forum, web):
    genuine = web.post(REGISTER, form_data(forum, email="real@example.org"))
    mail.outbox.clear()
    bot = web.post(REGISTER, form_data(forum, homepage="http://spam.example"))
    assert bot.status_code == genuine.status_code == 302
    assert bot["Location"] == genuine["Location"]
    assert list(Registration.objects.values_list("email", flat=True)) == ["real@example.org"]
    assert mail.outbox == []


def test_rate_limit_per_ip(forum, web, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (3, 3600), "email": (100, 3600)}
    for number in range(3):
        response = web.post(REGISTER, form_data(forum, email=f"p{number}@example.org"))
        assert response.status_code == 302
    response = web.post(REGISTER, form_data(forum, email="p4@example.org"))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    html = response.content.decode()
    assert "<h1>Too many attempts</h1>" in html
    assert "Please wait an hour, then try again." in html
    assert Registration.objects.count() == 3
    # Another address from another IP is not affected.
    other = web.post(REGISTER, form_data(forum, email="p5@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_rate_limit_per_email(forum, web, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (100, 3600), "email": (2, 3600)}
    for number in range(2):
        response = web.post(REGISTER, form_data(forum), REMOTE_ADDR=f"10.0.0.{number}")
        assert response.status_code == 302
    response = web.post(
        REGISTER, form_data(forum, email="HANAKO@example.jp"), REMOTE_ADDR="10.0.0.50"
    )
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_rate_limit_on_link_requests(forum, web, settings):
    settings.REGISTRATION_RATE_LIMITS = {"ip": (100, 3600), "email": (100, 3600),
                                         "link": (1, 3600)}
    assert web.post("/en/registration/link/", {"email": "a@example.org"}).status_code == 302
    assert web.post("/en/registration/link/", {"email": "a@example.org"}).status_code == 429


def test_link_request_form_errors(forum, web):
    response = web.post("/en/registration/link/", {"email": "nope\x00"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_closed_registration(forum, web):
    forum.registration_open = False
    forum.save()
    page = web.get(REGISTER)
    assert page.status_code == 200
    assert "<h1>Registration is closed</h1>" in page.content.decode()
    response = web.post(REGISTER, form_data(forum))
    assert response.status_code == 403
    assert "Registration is closed" in response.content.decode()
    assert Registration.objects.count() == 0
    with pytest.raises(services.RegistrationClosed):
        services.register(forum, services.Details(full_name="x", email="x@example.org"))


def test_unknown_event_is_a_404(db, web):
    assert web.get("/en/events/nope/register/").status_code == 404
    assert web.get("/en/events/nope/privacy/").status_code == 404


def test_privacy_notice(forum, web, settings):
    settings.REGISTRATION_RETENTION_MONTHS = 12
    response = web.get("/en/events/zccf-2022/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Privacy notice: Zero Carbon City International Forum</h1>" in html
    assert "Your full name, email address, organisation, position, country and sector." in html
    assert "the interpretation channel you listen to" in html
    assert "We erase your personal details 12 months after the event at the latest." in html
    assert (
        "A copy of each email we send you is kept for 30 days, so that it can be sent again if "
        "delivery fails; it is deleted at once if you erase your data."
    ) in html
    assert 'href="mailto:decarbozingcities@iges.or.jp"' in html
    assert "Institute for Global Environmental Strategies" in html


def test_a_valid_submission_counts_no_seats(forum, django_assert_num_queries,
                                            django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registration.forms import RegistrationForm
    from tests.registration_support import sign_up

    Session.objects.filter(event=forum, slug="parallel-session-1").update(capacity=1)
    Session.objects.filter(event=forum, slug="parallel-session-2").update(capacity=5)
    sign_up(django_capture_on_commit_callbacks, forum, email="first@example.org")
    # Seats are counted only to label full sessions, and a valid form is
    # never shown: the count, which grows with every seat taken, is skipped.
    with CaptureQueriesContext(connection) as queries:
        form = RegistrationForm(forum, form_data(forum, email="second@example.org"))
        assert form.is_valid()
    assert [q["sql"] for q in queries if "registration_sessionchoice" in q["sql"]] == []
    # Shown again (an invalid submission would be), it counts once and labels.
    [first_slot, _second_slot] = slot_field_names(forum)
    with django_assert_num_queries(1):
        labels = [str(label) for _pk, label in form.fields[first_slot].choices]
    [full, other] = Session.objects.filter(
        event=forum, slug__in=["parallel-session-1", "parallel-session-2"]
    ).order_by("slug")
    assert labels == [f"{full.title} — full: you would join its waiting list", other.title]


def _select_parts(html):
    """The select's attributes and its options as (value, label, selected)."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.select, self.options, self._option = None, [], None

        def handle_starttag(self, tag, attrs):
            if tag == "select":
                self.select = dict(attrs)
            elif tag == "option":
                self._option = dict(attrs)
                self.options.append([self._option.get("value"), "", "selected" in self._option])

        def handle_data(self, data):
            if self._option is not None:
                self.options[-1][1] += data

        def handle_endtag(self, tag):
            if tag == "option":
                self._option = None

    parser = Parser()
    parser.feed(html)
    return parser.select, parser.options


@pytest.mark.parametrize("value", [None, "VN", "<JP>"])
def test_the_country_list_is_the_select_django_would_write(forum, value):
    from django import forms as django_forms

    field = RegistrationForm(forum).fields["country"]
    attrs = {"id": "id_country", "required": True, "aria-describedby": "id_country_helptext"}
    ours = field.widget.render("country", value, attrs)
    django = django_forms.Select(attrs=field.widget.attrs, choices=field.choices).render(
        "country", value, attrs)
    assert _select_parts(ours) == _select_parts(django)
    assert len(_select_parts(ours)[1]) == len(field.choices) > 240
