"""Events have a life: upcoming, live and past from the clock, registration windows,
the "Now" band, past events shown as past, and cached pages that follow the clock.

The clock is moved with time_machine; the seed events are never edited to make
a state (only test-made events get a registration window).
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from post_office.models import Email

from agenda import event_life
from agenda.models import Session
from agenda.programme import load_life
from registration import notices, services
from registration.models import Registration
from tests.factories import make_day, make_event, make_session
from tests.registration_support import form_data, sign_up

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
HO_CHI_MINH = ZoneInfo("Asia/Ho_Chi_Minh")

# The forum, in UTC: Day 1 runs 01:00–03:10 on 10 March (20:00–22:10 EST on
# 9 March), Day 2 runs 12:00–14:15 (07:00–09:15 EST on 10 March).
BEFORE_THE_FORUM = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)
DURING_SESSION_1 = datetime(2022, 3, 10, 1, 30, tzinfo=UTC)
IN_THE_DAY_1_BREAK = datetime(2022, 3, 10, 2, 2, tzinfo=UTC)
BETWEEN_THE_DAYS = datetime(2022, 3, 10, 6, 0, tzinfo=UTC)
DURING_PARALLEL_1_AND_2 = datetime(2022, 3, 10, 12, 30, tzinfo=UTC)
FORUM_OVER = datetime(2022, 3, 10, 14, 15, tzinfo=UTC)  # the last session's end
TODAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def text_of(response):
    """The page's visible text (inside <main>) with tags removed and white space folded."""
    html = response.content.decode()
    html = html[html.index("<main"):html.index("</main>")]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def status_of(response):
    """The text of the page's "where the event stands" section."""
    html = response.content.decode()
    found = re.search(r'<section class="event-status[^"]*".*?</section>', html, re.S)
    assert found, "no event status on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))).strip()


def now_band(response):
    html = response.content.decode()
    found = re.search(r'<section class="now-band".*?</section>', html, re.S)
    return found.group(0) if found else None


def life_at(event, moment):
    return load_life(event, now=moment)


# The one function -------------------------------------------------------------

@pytest.mark.parametrize(
    ("moment", "phase", "started", "running", "next_slugs"),
    [
        (BEFORE_THE_FORUM, "upcoming", False, [], ["opening-remarks-day-1"]),
        (DURING_SESSION_1, "live", True, ["session-1"], ["session-2"]),
        (IN_THE_DAY_1_BREAK, "live", True, ["break-day-1"], ["session-2"]),
        (BETWEEN_THE_DAYS, "upcoming", True, [], ["opening-remarks-day-2"]),
        (DURING_PARALLEL_1_AND_2, "live", True,
         ["parallel-session-1", "parallel-session-2"],
         ["parallel-session-3", "parallel-session-4"]),
        (FORUM_OVER - timedelta(seconds=1), "live", True, ["closing-remarks-day-2"], []),
        (FORUM_OVER, "past", True, [], []),
    ],
)
def test_the_forum_state_follows_the_clock(forum, moment, phase, started, running, next_slugs):
    life = life_at(forum, moment)
    assert life.phase == phase
    assert life.has_started is started
    assert [s.slug for s in life.running] == running
    assert [s.slug for s in life.next_sessions] == next_slugs
    assert life.takes_signups is (phase != "past")


def test_next_boundary_is_the_next_start_or_end(forum):
    assert life_at(forum, DURING_SESSION_1).next_boundary == datetime(
        2022, 3, 10, 2, 0, tzinfo=UTC)  # session 1 ends, the break starts
    assert life_at(forum, BETWEEN_THE_DAYS).next_boundary == datetime(
        2022, 3, 10, 12, 0, tzinfo=UTC)
    assert life_at(forum, FORUM_OVER).next_boundary is None


def test_a_cancelled_last_session_ends_the_event_earlier(forum):
    Session.objects.filter(event=forum, slug="closing-remarks-day-2").update(status="cancelled")
    assert life_at(forum, datetime(2022, 3, 10, 14, 10, tzinfo=UTC)).phase == "past"


def test_an_event_without_sessions_runs_its_whole_day_in_its_own_zone(dien_bien):
    start = datetime(2024, 1, 12, tzinfo=HO_CHI_MINH)
    assert life_at(dien_bien, start - timedelta(seconds=1)).phase == "upcoming"
    assert life_at(dien_bien, start).phase == "live"
    assert life_at(dien_bien, start + timedelta(hours=23, minutes=59)).phase == "live"
    over = life_at(dien_bien, start + timedelta(days=1))
    assert over.phase == "past"
    assert over.registration == event_life.EVENT_OVER


def test_dst_days_last_23_and_25_hours():
    event = make_event()
    make_day(event, 1, date(2022, 3, 13))  # New York: 02:00 EST becomes 03:00 EDT
    autumn = make_day(event, 2, date(2022, 11, 6))  # 02:00 EDT becomes 01:00 EST
    spans = life_at(event, datetime(2022, 3, 1, tzinfo=UTC)).spans
    assert [span.end - span.start for span in spans] == [timedelta(hours=23),
                                                         timedelta(hours=25)]
    # The spring day ends at midnight EDT (04:00 UTC), not at midnight EST.
    life = life_at(event, datetime(2022, 3, 14, 3, 59, tzinfo=UTC))
    assert (life.phase, life.next_boundary) == ("live", datetime(2022, 3, 14, 4, 0, tzinfo=UTC))
    assert life_at(event, datetime(2022, 3, 14, 4, 0, tzinfo=UTC)).phase == "upcoming"
    # The autumn day runs 25 hours: 01:30 EST, after the repeated hour, is still on it.
    assert life_at(event, datetime(2022, 11, 7, 4, 59, tzinfo=UTC)).phase == "live"
    assert life_at(event, datetime(2022, 11, 7, 5, 0, tzinfo=UTC)).phase == "past"
    assert autumn.date == date(2022, 11, 6)


def test_a_session_across_the_spring_change_runs_one_real_hour():
    event = make_event()
    day = make_day(event, 1, date(2022, 3, 13))
    session = Session.objects.create(
        event=event, day=day, slug="night", kind=Session.Kind.PLENARY, title="Night",
        start=datetime(2022, 3, 13, 6, 30, tzinfo=UTC),  # 01:30 EST
        end=datetime(2022, 3, 13, 7, 30, tzinfo=UTC),
    )
    assert session.end.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:30 EDT"
    assert [s.slug for s in life_at(event, datetime(2022, 3, 13, 7, 29, tzinfo=UTC)).running] \
        == ["night"]
    assert life_at(event, datetime(2022, 3, 13, 7, 30, tzinfo=UTC)).phase == "past"


# Registration windows ------------------------------------------------------------

def windowed_event(**fields):
    """An upcoming event (a day on 10 June 2030) whose window is 1 May–1 June 2030, New York."""
    event = make_event(
        "windowed",
        registration_opens_at=datetime(2030, 5, 1, 9, 0, tzinfo=NEW_YORK),
        registration_closes_at=datetime(2030, 6, 1, 17, 0, tzinfo=NEW_YORK),
        **fields,
    )
    day = make_day(event, 1, date(2030, 6, 10))
    make_session(day, datetime(2030, 6, 10, 9, 0), minutes=60, slug="keynote")
    return event


@pytest.mark.parametrize(
    ("moment", "registration", "note"),
    [
        (datetime(2030, 4, 30, 12, tzinfo=UTC), "not_yet_open",
         "Registration opens on 1 May 2030. 09:00 EDT 22:00 JST"),
        (datetime(2030, 5, 1, 13, tzinfo=UTC), "open",
         "Registration closes on 1 June 2030. 17:00 EDT 06:00 JST (Sunday 2 June 2030, +1 day)"),
        (datetime(2030, 6, 1, 21, tzinfo=UTC), "window_closed",
         "Registration closed on 1 June 2030. 17:00 EDT 06:00 JST (Sunday 2 June 2030, +1 day)"),
    ],
)
def test_the_window_before_during_and_after(client, moment, registration, note):
    event = windowed_event()
    with time_machine.travel(moment):
        assert load_life(event).registration == registration
        page = client.get(f"/en/events/{event.slug}/")
    assert status_of(page) == (
        f"Where the event stands This event takes place on 10 June 2030. {note}"
    )


def test_the_window_is_shown_in_the_visitors_zone_too(client):
    event = windowed_event()
    with time_machine.travel(datetime(2030, 4, 30, 12, tzinfo=UTC)):
        page = client.get(f"/en/events/{event.slug}/?tz=Europe/Paris")
    assert status_of(page).endswith(
        "Registration opens on 1 May 2030. 09:00 EDT 22:00 JST 15:00 CEST"
    )


@pytest.mark.parametrize(
    ("moment", "says"),
    [
        (datetime(2030, 4, 30, 12, tzinfo=UTC), "Registration opens on 1 May 2030."),
        (datetime(2030, 6, 1, 21, tzinfo=UTC), "Registration closed on 1 June 2030."),
        (datetime(2030, 6, 10, 14, tzinfo=UTC), "This event took place on 10 June 2030."),
    ],
)
def test_outside_the_window_the_register_page_says_so_and_takes_nothing(
    client, django_capture_on_commit_callbacks, moment, says
):
    event = windowed_event()
    with time_machine.travel(moment):
        page = client.get(f"/en/events/{event.slug}/register/")
        with django_capture_on_commit_callbacks(execute=True):
            refused = client.post(f"/en/events/{event.slug}/register/", form_data(event))
    assert page.status_code == 200
    assert refused.status_code == 403
    assert "<form" not in page.content.decode()
    assert says in text_of(page)
    assert text_of(page).startswith("Registration is closed")
    assert Registration.objects.count() == 0
    assert mail.outbox == []


def test_the_switch_closes_registration_early_whatever_the_window():
    event = windowed_event(registration_open=False)
    with time_machine.travel(datetime(2030, 5, 10, tzinfo=UTC)):
        life = load_life(event)
        assert life.registration == event_life.PAUSED
        assert life.registration_note == "Registration is closed for now."
        with pytest.raises(services.RegistrationClosed):
            services.register(event, services.Details(full_name="A", email="a@example.org"))


def test_a_window_that_closes_before_it_opens_is_refused():
    from django.core.exceptions import ValidationError

    event = windowed_event()
    event.registration_closes_at = event.registration_opens_at
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert error.value.message_dict["registration_closes_at"] == [
        "Registration must close after it opens."]


# Past events ------------------------------------------------------------------------

PAST_TEXTS = {
    "en": "This event took place on 9–10 March 2022.",
    "ja": "このイベントは2022年3月9日～10日に開催されました。",
    "vi": "Sự kiện này đã diễn ra vào ngày 9 – 10 tháng 3, 2022.",
}
FORUM_PAGES = [
    "/{lang}/events/zccf-2022/",
    "/{lang}/events/zccf-2022/agenda/",
    "/{lang}/events/zccf-2022/sessions/session-1/",
    "/{lang}/events/zccf-2022/speakers/",
    "/{lang}/events/zccf-2022/speakers/yamaguchi-tsuyoshi/",
    "/{lang}/events/zccf-2022/changes/",
    "/{lang}/events/zccf-2022/register/",
    "/{lang}/events/zccf-2022/privacy/",
]


@pytest.mark.parametrize("lang", ["en", "ja", "vi"])
def test_every_page_of_a_past_event_says_when_it_took_place(client, forum, lang):
    register_label = {"en": "Register", "ja": "参加登録", "vi": "Đăng ký"}[lang]
    with time_machine.travel(TODAY):
        for path in FORUM_PAGES:
            page = client.get(path.format(lang=lang))
            html = page.content.decode()
            assert page.status_code == 200, path
            assert PAST_TEXTS[lang] in status_of(page), path
            assert f'href="/{lang}/events/zccf-2022/register/"' not in html, path
            assert f">{register_label}<" not in html, path
            assert "link to follow" not in html, path
            assert "livestream" not in text_of(page).lower(), path


def test_a_one_day_past_event_gives_its_day(client, dien_bien):
    with time_machine.travel(TODAY):
        texts = {lang: status_of(client.get(f"/{lang}/events/dien-bien-2024/"))
                 for lang in ("en", "ja", "vi")}
    assert texts == {
        "en": "Where the event stands This event took place on 12 January 2024.",
        "ja": "イベントの状況 このイベントは2024年1月12日に開催されました。",
        "vi": "Tình trạng sự kiện Sự kiện này đã diễn ra vào ngày 12 tháng 1, 2024.",
    }


def test_a_past_events_register_post_leaves_the_database_and_outbox_unchanged(
    client, forum, django_capture_on_commit_callbacks
):
    sign_up(django_capture_on_commit_callbacks, forum, email="early@example.org")
    mail.outbox.clear()
    before = (Registration.objects.count(), Email.objects.count(),
              list(Registration.objects.values_list("pk", "status", "updated_at")))
    with time_machine.travel(TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en/events/zccf-2022/register/",
                                   form_data(forum, email="late@example.org"))
            again = client.post("/en/events/zccf-2022/register/",
                                form_data(forum, email="early@example.org"))
    assert (response.status_code, again.status_code) == (403, 403)
    assert "This event took place on 9–10 March 2022." in text_of(response)
    assert (Registration.objects.count(), Email.objects.count(),
            list(Registration.objects.values_list("pk", "status", "updated_at"))) == before
    assert mail.outbox == []


def test_past_events_show_their_recording_and_nothing_about_livestreams(client, forum):
    forum.recording_url = "https://video.example.org/zccf-2022"
    forum.save()
    Session.objects.filter(event=forum, slug="session-2").update(
        recording_url="https://video.example.org/zccf-2022/session-2")
    with time_machine.travel(TODAY):
        overview = client.get("/en/events/zccf-2022/")
        session_1 = client.get("/en/events/zccf-2022/sessions/session-1/")
        session_2 = client.get("/en/events/zccf-2022/sessions/session-2/")
    assert "Recording Watch the recording" in text_of(overview)
    assert '<a href="https://video.example.org/zccf-2022">Watch the recording</a>' in (
        overview.content.decode())
    assert '<a href="https://video.example.org/zccf-2022">Watch the recording</a>' in (
        session_1.content.decode())
    assert '<a href="https://video.example.org/zccf-2022/session-2">Watch the recording</a>' in (
        session_2.content.decode())
    for page in (overview, session_1, session_2):
        assert "livestream" not in text_of(page).lower()


def test_upcoming_pages_still_offer_the_livestream_and_registration(client, forum):
    with time_machine.travel(BEFORE_THE_FORUM):
        page = client.get("/en/events/zccf-2022/")
    assert status_of(page) == (
        "Where the event stands This event takes place on 9–10 March 2022. Registration is open."
    )
    assert "YouTube livestream: link to follow" in text_of(page)
    assert 'href="/en/events/zccf-2022/register/"' in page.content.decode()
    assert now_band(page) is None


# The registrant's private page after the event ----------------------------------------

def test_a_registrant_of_a_past_event_keeps_the_page_but_cannot_change_it(
    client, forum, django_capture_on_commit_callbacks
):
    registration = sign_up(django_capture_on_commit_callbacks, forum)
    token = registration.token
    mail.outbox.clear()
    with time_machine.travel(TODAY):
        page = client.get(f"/en/registration/{token}/")
        calendar = client.get(f"/registration/{token}/calendar.ics")
        cancel_page = client.get(f"/en/registration/{token}/cancel/")
        cancel = client.post(f"/en/registration/{token}/cancel/")
        choices = client.post(f"/en/registration/{token}/choices/", {})
        languages = client.post(f"/en/registration/{token}/preferences/", {"language": "ja"})
    text = text_of(page)
    assert page.status_code == 200
    assert ("This event is over: your registration can no longer be changed or cancelled. "
            "You can still see it, download your calendar and erase your data.") in text
    assert "Cancel my registration" not in text
    assert "Save my choices" not in text
    assert "Register again" not in text
    assert "Erase my data" in text
    assert "Download the .ics file" in text
    assert calendar.status_code == 200
    assert b"BEGIN:VEVENT" in calendar.content
    assert (cancel_page.status_code, cancel.status_code, choices.status_code,
            languages.status_code) == (403, 403, 403, 403)
    registration.refresh_from_db()
    assert (registration.status, registration.language) == ("confirmed", "en")
    assert mail.outbox == []
    with time_machine.travel(TODAY):
        erased = client.post(f"/en/registration/{token}/erase/")
    assert erased.status_code == 302
    assert Registration.objects.get(pk=registration.pk).is_erased


def test_changing_choices_after_the_event_is_refused_by_the_service(
    forum, django_capture_on_commit_callbacks
):
    registration = sign_up(django_capture_on_commit_callbacks, forum)
    with time_machine.travel(TODAY), pytest.raises(services.EventOver):
        services.change_choices(registration, [])


# Emails and commands ---------------------------------------------------------------

def test_no_reminder_and_no_change_notice_for_a_past_event(
    forum, django_capture_on_commit_callbacks
):
    sign_up(django_capture_on_commit_callbacks, forum)
    mail.outbox.clear()
    session = Session.objects.get(event=forum, slug="session-2")
    from agenda.services import save_session

    session.status = Session.Status.CANCELLED
    save_session(session)
    with time_machine.travel(TODAY), django_capture_on_commit_callbacks(execute=True):
        assert notices.send_reminders(forum, "day-before") == 0
        assert notices.notify_changes(forum) == 0
        call_command("send_reminders", "--event", "zccf-2022", verbosity=0)
        call_command("notify_changes", "--event", "zccf-2022", verbosity=0)
    assert mail.outbox == []
    # Before the event both still go out.
    with time_machine.travel(BEFORE_THE_FORUM), django_capture_on_commit_callbacks(execute=True):
        assert notices.send_reminders(forum, "day-before") == 1
        assert notices.notify_changes(forum) == 1
    assert len(mail.outbox) == 2


# Live: the "Now" band -----------------------------------------------------------------

def test_the_now_band_shows_parallel_sessions_next_and_the_livestream(client, forum):
    forum.livestream_url = "https://live.example.org/zccf"
    forum.save()
    Session.objects.filter(event=forum, slug="parallel-session-2").update(
        livestream_url="https://live.example.org/zccf/channel-2")
    with time_machine.travel(DURING_PARALLEL_1_AND_2):
        overview = client.get("/en/events/zccf-2022/?tz=Europe/Paris")
        agenda = client.get("/en/events/zccf-2022/agenda/?tz=Europe/Paris")
    band = now_band(overview)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", band)).strip()
    assert status_of(overview) == (
        "Where the event stands Happening now Registration is open."
    )
    assert text == (
        "Now "
        "Parallel session 1 "
        f"{Session.objects.get(slug='parallel-session-1').title_en} "
        "07:10 – 08:00 EST 21:10 – 22:00 JST 13:10 – 14:00 CET "
        "Watch the livestream "
        "Parallel session 2 "
        f"{Session.objects.get(slug='parallel-session-2').title_en} "
        "07:10 – 08:00 EST 21:10 – 22:00 JST 13:10 – 14:00 CET "
        "Watch the livestream "
        "Next "
        f"{Session.objects.get(slug='parallel-session-3').title_en} Parallel session 3 "
        "08:05 – 08:55 EST 22:05 – 22:55 JST 14:05 – 14:55 CET "
        f"{Session.objects.get(slug='parallel-session-4').title_en} Parallel session 4 "
        "08:05 – 08:55 EST 22:05 – 22:55 JST 14:05 – 14:55 CET "
        "Jump to now in the agenda"
    )
    assert '<a class="button button--primary" href="https://live.example.org/zccf">' in band
    assert ('<a class="button button--primary" href="https://live.example.org/zccf/channel-2">'
            in band)
    assert '<a href="/en/events/zccf-2022/agenda/#now">Jump to now in the agenda</a>' in band
    html = agenda.content.decode()
    assert '<a href="#now">Jump to now in the agenda</a>' in now_band(agenda)
    # The running row carries the anchor and says "Now" in words.
    row = re.search(r'<tr class="slot[^"]*slot--now[^"]*" id="now">(.*?)</tr>', html, re.S)
    assert row and "<strong>Now</strong>" in row.group(1)
    assert "parallel-session-1" in row.group(1) and "parallel-session-2" in row.group(1)
    assert html.count('id="now"') == 1
    assert html.count("<strong>Now</strong>") == 1


def test_in_a_break_the_band_shows_the_break_next_and_the_events_livestream(client, forum):
    forum.livestream_url = "https://live.example.org/zccf"
    forum.save()
    with time_machine.travel(IN_THE_DAY_1_BREAK):
        band = now_band(client.get("/en/events/zccf-2022/agenda/"))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", band)).strip()
    session_2 = Session.objects.get(slug="session-2").title_en
    assert text == (
        f"Now {Session.objects.get(slug='break-day-1').title_en} "
        "21:00 – 21:05 EST 11:00 – 11:05 JST (Thursday 10 March 2022, +1 day) "
        "Watch the livestream "
        f"Next {session_2} "
        "21:05 – 22:05 EST 11:05 – 12:05 JST (Thursday 10 March 2022, +1 day) "
        "Jump to now in the agenda"
    )


def test_between_days_the_pages_say_when_it_continues(client, forum):
    with time_machine.travel(BETWEEN_THE_DAYS):
        page = client.get("/en/events/zccf-2022/")
    assert now_band(page) is None
    opening = Session.objects.get(slug="opening-remarks-day-2").title_en
    assert status_of(page) == (
        "Where the event stands This event is under way: it continues on 10 March 2022. "
        f"Registration is open. Next {opening} 07:00 – 07:10 EST 21:00 – 21:10 JST"
    )


@pytest.mark.parametrize(
    ("lang", "headline"), [("en", "Happening now"), ("ja", "開催中"), ("vi", "Đang diễn ra")]
)
def test_happening_now_in_every_language(client, forum, lang, headline):
    with time_machine.travel(DURING_SESSION_1):
        page = client.get(f"/{lang}/events/zccf-2022/agenda/")
    assert headline in status_of(page)
    with translation.override(lang):
        now_label = translation.gettext("Now")
    assert f"<strong>{now_label}</strong>" in page.content.decode()


def test_the_dien_bien_workshop_is_happening_without_a_band(client, dien_bien):
    with time_machine.travel(datetime(2024, 1, 12, 3, 0, tzinfo=UTC)):
        page = client.get("/vi/events/dien-bien-2024/")
    assert status_of(page) == "Tình trạng sự kiện Đang diễn ra Đang mở đăng ký."
    assert now_band(page) is None


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["Registration opens on 1 May 2030.", "Registration closes on 1 June 2030.",
                "Registration closed on 1 June 2030."]),
        ("ja", ["参加登録は2030年5月1日に受付を開始します。",
                "参加登録の締め切りは2030年6月1日です。",
                "参加登録は2030年6月1日に締め切りました。"]),
        ("vi", ["Đăng ký mở vào ngày 1 tháng 5, 2030.",
                "Đăng ký đóng vào ngày 1 tháng 6, 2030.",
                "Đăng ký đã đóng vào ngày 1 tháng 6, 2030."]),
    ],
)
def test_window_texts_in_every_language(client, lang, texts):
    event = windowed_event()
    moments = [datetime(2030, 4, 30, 12, tzinfo=UTC), datetime(2030, 5, 1, 13, tzinfo=UTC),
               datetime(2030, 6, 1, 21, tzinfo=UTC)]
    found = []
    for moment in moments:
        with time_machine.travel(moment):
            found.append(status_of(client.get(f"/{lang}/events/{event.slug}/")))
    for status, text in zip(found, texts, strict=True):
        assert text in status


# Cached pages follow the clock -----------------------------------------------------------

def test_a_cached_page_expires_at_the_next_session_boundary_without_any_edit(client, forum):
    framing = Session.objects.get(slug="framing-session").title_en
    session_1 = Session.objects.get(slug="session-1").title_en
    with time_machine.travel(datetime(2022, 3, 10, 1, 19, 59, tzinfo=UTC), tick=False):
        first = client.get("/en/events/zccf-2022/agenda/")
        second = client.get("/en/events/zccf-2022/agenda/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert framing in now_band(second).split("Next")[0]
    with time_machine.travel(datetime(2022, 3, 10, 1, 20, 0, tzinfo=UTC), tick=False):
        third = client.get("/en/events/zccf-2022/agenda/")
        fourth = client.get("/en/events/zccf-2022/agenda/")
    assert (third["X-Page-Cache"], fourth["X-Page-Cache"]) == ("miss", "hit")
    assert session_1 in now_band(third).split("Next")[0]
    assert framing not in now_band(third)
    # After the last session, the same cached address turns into the past event.
    with time_machine.travel(FORUM_OVER, tick=False):
        over = client.get("/en/events/zccf-2022/agenda/")
    assert over["X-Page-Cache"] == "miss"
    assert now_band(over) is None
    assert PAST_TEXTS["en"] in status_of(over)


def test_a_past_event_page_stays_cached(client, forum):
    with time_machine.travel(TODAY):
        client.get("/en/events/zccf-2022/")
        assert client.get("/en/events/zccf-2022/")["X-Page-Cache"] == "hit"


def test_the_events_list_moves_an_event_to_past_when_it_ends(client, forum):
    with time_machine.travel(FORUM_OVER - timedelta(seconds=1), tick=False):
        live = client.get("/en/")
    with time_machine.travel(FORUM_OVER, tick=False):
        over = client.get("/en/")
    assert [e.slug for e in live.context["upcoming"]] == ["zccf-2022", "dien-bien-2024"]
    assert "Happening now" in text_of(live)
    assert [e.slug for e in over.context["past"]] == ["zccf-2022"]


# Structured data and sitemap -------------------------------------------------------------

def json_ld(response):
    import json

    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>',
                        response.content.decode(), re.S)
    return [json.loads(block) for block in blocks]


def test_structured_data_offers_follow_the_state(client, forum):
    with time_machine.travel(TODAY):
        (past,) = json_ld(client.get("/en/events/zccf-2022/"))
        (past_session,) = json_ld(client.get("/en/events/zccf-2022/sessions/session-1/"))
    assert "offers" not in past and "offers" not in past_session
    assert past["eventStatus"] == "https://schema.org/EventScheduled"
    event = windowed_event()
    with time_machine.travel(datetime(2030, 4, 30, 12, tzinfo=UTC)):
        (before,) = json_ld(client.get(f"/en/events/{event.slug}/"))
    with time_machine.travel(datetime(2030, 6, 1, 21, tzinfo=UTC)):
        (closed,) = json_ld(client.get(f"/en/events/{event.slug}/"))
    assert before["offers"] == {
        "@type": "Offer",
        "url": f"http://testserver/en/events/{event.slug}/register/",
        "price": "0",
        "availability": "https://schema.org/InStock",
        "validFrom": "2030-05-01T09:00:00-04:00",
        "validThrough": "2030-06-01T17:00:00-04:00",
    }
    assert "offers" not in closed


def test_the_sitemap_asks_crawlers_to_come_back_less_after_the_event(client, forum):
    with time_machine.travel(BEFORE_THE_FORUM):
        before = client.get("/sitemap.xml").content.decode()
    with time_machine.travel(TODAY):
        after = client.get("/sitemap.xml").content.decode()
    assert "<changefreq>daily</changefreq>" in before
    assert "<changefreq>yearly</changefreq>" in after
    assert "<changefreq>daily</changefreq>" not in after


# Organisers and emails ---------------------------------------------------------------------

def test_organisers_see_the_window_in_the_events_own_zone(admin_client):
    event = windowed_event()
    html = admin_client.get(f"/admin/agenda/event/{event.pk}/change/").content.decode()
    assert 'name="registration_opens_at_0" value="2030-05-01"' in html
    assert 'name="registration_opens_at_1" value="09:00:00"' in html
    assert 'name="registration_closes_at_1" value="17:00:00"' in html
    assert "taking sign-ups" in html.lower()


def test_an_email_after_the_event_says_nothing_about_the_livestream(
    forum, django_capture_on_commit_callbacks
):
    sign_up(django_capture_on_commit_callbacks, forum)
    mail.outbox.clear()
    with time_machine.travel(TODAY), django_capture_on_commit_callbacks(execute=True):
        services.resend_link("hanako@example.jp")
    (message,) = mail.outbox
    assert "livestream" not in message.body.lower()
    assert "Register again" not in message.body
