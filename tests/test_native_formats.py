"""Dates, times, zone names and joins as native readers of each language write them.

The formatting module (agenda/dates.py, agenda/labels.py, the TimeRange of
agenda/timezones.py) is checked with exact strings per language, then the
pages that print it, then the emails; finally every Japanese public page is
read for English punctuation between Japanese words.
"""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from agenda import dates, labels, timezones
from agenda.models import Session, SessionSpeaker
from tests.browser.site_pages import public_pages, registrations

NEW_YORK = ZoneInfo("America/New_York")


def in_new_york(*args):
    return datetime(*args, tzinfo=NEW_YORK)


def visible_text(html: str) -> str:
    """What a reader sees (and a screen reader reads): no tags, no scripts, spaces folded."""
    html = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"[ \t\r\n]+", " ", text).strip()  # thin spaces (CLDR ranges) kept


def text_of(response):
    return visible_text(response.content.decode())


# --- the formatting module ------------------------------------------------------------

@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Wednesday 9 March 2022"),
    ("ja", "2022年3月9日(水)"),
    ("vi", "Thứ Tư, 9 tháng 3, 2022"),
])
def test_a_day_with_its_weekday(language, expected):
    with translation.override(language):
        assert dates.format_day(date(2022, 3, 9)) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "12 January 2024"),
    ("ja", "2024年1月12日"),
    ("vi", "12 tháng 1, 2024"),
])
def test_a_date(language, expected):
    with translation.override(language):
        assert dates.format_date(date(2024, 1, 12)) == expected


@pytest.mark.parametrize(("language", "same_month", "across_months"), [
    ("en", "9–10 March 2022", "31 March\u2009–\u20091 April 2022"),
    ("ja", "2022年3月9日〜10日", "2022年3月31日〜4月1日"),
    ("vi", "9\u2009–\u200910 tháng 3, 2022", "31 tháng 3\u2009–\u20091 tháng 4, 2022"),
])
def test_a_range_of_dates(language, same_month, across_months):
    with translation.override(language):
        assert dates.format_date_range(date(2022, 3, 9), date(2022, 3, 10)) == same_month
        assert dates.format_date_range(date(2022, 3, 31), date(2022, 4, 1)) == across_months
        assert dates.format_date_range(date(2024, 1, 12), date(2024, 1, 12)) == (
            dates.format_date(date(2024, 1, 12)))


@pytest.mark.parametrize(("language", "plain", "shifted", "two_days"), [
    ("en", "20:00–22:10 EST", "10:00–12:10 JST (Thursday 10 March 2022, +1 day)", "+2 days"),
    ("ja", "20:00〜22:10 EST", "10:00〜12:10 JST（2022年3月10日(木)、翌日）", "+2日"),
    ("vi", "20:00–22:10 EST", "10:00–12:10 JST (Thứ Năm, 10 tháng 3, 2022, +1 ngày)",
     "+2 ngày"),
])
def test_a_time_range_in_each_zone_with_its_day_shift(language, plain, shifted, two_days):
    with translation.override(language):
        new_york, tokyo = timezones.time_ranges(
            in_new_york(2022, 3, 9, 20, 0), in_new_york(2022, 3, 9, 22, 10),
            ["America/New_York", "Asia/Tokyo"], date(2022, 3, 9))
        assert (new_york.shifted_text, tokyo.shifted_text) == (plain, shifted)
        assert tokyo.day_shift_label == dates.day_shift_label(1)
        assert dates.day_shift_label(2) == two_days


def test_a_morning_time_in_japanese_has_no_leading_zero():
    with translation.override("ja"):
        (new_york,) = timezones.time_ranges(in_new_york(2022, 3, 10, 7, 10),
                                            in_new_york(2022, 3, 10, 8, 0), ["America/New_York"])
        assert new_york.text == "7:10〜8:00 EST"
        assert new_york.dated_text == "2022年3月10日(木) 7:10〜8:00 EST"


@pytest.mark.parametrize(("language", "new_york", "tokyo", "summer"), [
    ("en", "New York (EST)", "Tokyo (JST)", "New York (EDT)"),
    ("ja", "ニューヨーク（EST）", "東京（JST）", "ニューヨーク（EDT）"),
    ("vi", "New York (EST)", "Tokyo (JST)", "New York (EDT)"),
])
def test_zone_headings_name_the_city_in_the_readers_language(language, new_york, tokyo, summer):
    winter = datetime(2022, 3, 10, 1, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        assert timezones.zone_heading("America/New_York", winter) == new_york
        assert timezones.zone_heading("Asia/Tokyo", winter) == tokyo
        assert timezones.zone_heading("America/New_York", datetime(
            2022, 3, 20, 1, tzinfo=ZoneInfo("UTC"))) == summer


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "line"), [
    ("en", "YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan (Speaker)"),
    ("ja", "山口壯 環境大臣（登壇者）"),
    ("vi", "YAMAGUCHI Tsuyoshi, Bộ trưởng Bộ Môi trường Nhật Bản (Diễn giả)"),
])
def test_a_speaker_line_names_the_organisation_once(forum, language, line):
    link = SessionSpeaker.objects.get(session__slug="opening-remarks-day-1")
    with translation.override(language):
        assert labels.speaker_line(link) == line


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "moej", "iclei", "languages"), [
    ("en", "Ministry of the Environment, Japan (MOEJ)",
     "ICLEI – Local Governments for Sustainability",
     "Japanese / English (simultaneous interpretation)"),
    ("ja", "環境省（MOEJ）", "イクレイ – 持続可能性をめざす自治体協議会",
     "日本語・英語（同時通訳）"),
    ("vi", "Bộ Môi trường Nhật Bản (MOEJ)", "ICLEI – Chính quyền địa phương vì sự bền vững",
     "Tiếng Nhật / Tiếng Anh (phiên dịch đồng thời)"),
])
def test_organisations_and_languages_are_joined_as_each_language_joins_them(
        forum, language, moej, iclei, languages):
    organisations = {org.slug: org for org in forum.organisations.all()}
    with translation.override(language):
        assert labels.organisation_name(organisations["moej"]) == moej
        assert labels.organisation_name(organisations["iclei"]) == iclei
        assert labels.language_names(forum.language_codes, interpretation=True) == languages


def test_the_zone_picker_lists_cities_in_the_readers_language_by_iana_name():
    with translation.override("ja"):
        choices = timezones.picker_choices(["America/New_York", "Asia/Tokyo"], "Europe/Paris")
        europe = timezones.picker_region("europe")
        pacific = timezones.picker_region("pacific")
    assert choices.event == [("America/New_York", "ニューヨーク"), ("Asia/Tokyo", "東京")]
    assert choices.viewer == ("Europe/Paris", "パリ")
    assert (europe.name, pacific.name) == ("ヨーロッパ", "太平洋")
    assert ("Europe/Paris", "パリ") in europe.cities
    assert ("Pacific/Honolulu", "ホノルル") in pacific.cities
    with translation.override("vi"):
        europe = timezones.picker_region("europe")
    assert europe.name == "Châu Âu"
    assert ("Europe/Paris", "Paris") in europe.cities


# --- pages ----------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("language", "day_heading", "tokyo_heading", "shifted", "speaker"), [
    ("en", "Day 1 Wednesday 9 March 2022", "Tokyo (JST)",
     "10:00–12:10 JST (Thursday 10 March 2022, +1 day)",
     "YAMAGUCHI Tsuyoshi, Minister of the Environment, Japan (Speaker)"),
    ("ja", "1日目 2022年3月9日(水)", "東京（JST）", "10:00〜12:10 JST（2022年3月10日(木)、翌日）",
     "山口壯 環境大臣（登壇者）"),
    ("vi", "Ngày 1 Thứ Tư, 9 tháng 3, 2022", "Tokyo (JST)",
     "10:00–12:10 JST (Thứ Năm, 10 tháng 3, 2022, +1 ngày)",
     "YAMAGUCHI Tsuyoshi, Bộ trưởng Bộ Môi trường Nhật Bản (Diễn giả)"),
])
def test_the_agenda_page_in_each_language(client, forum, language, day_heading, tokyo_heading,
                                          shifted, speaker):
    text = text_of(client.get(f"/{language}/events/zccf-2022/agenda/"))
    assert day_heading in text
    assert tokyo_heading in text
    assert shifted in text
    assert speaker in text


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "participant"), [
    ("en", "Representative of the United States"),
    ("ja", "米国代表"),
    ("vi", "Đại diện Hoa Kỳ"),
])
def test_the_unnamed_us_representative_is_shown_without_a_name(client, forum, language,
                                                               participant):
    agenda = text_of(client.get(f"/{language}/events/zccf-2022/agenda/"))
    assert participant in agenda
    session = text_of(client.get(f"/{language}/events/zccf-2022/sessions/opening-remarks-day-1/"))
    assert participant in session
    speakers = client.get(f"/{language}/events/zccf-2022/speakers/")
    assert participant in text_of(speakers)
    assert [len(speakers.context["speakers"])] == [1]  # no invented person
    calendar = client.get("/events/zccf-2022/sessions/opening-remarks-day-1.ics",
                          {"lang": language}).content.decode()
    assert f"- {participant}" in calendar.replace("\r\n ", "")


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "period", "languages"), [
    ("en", "9–10 March 2022", "Japanese / English (simultaneous interpretation)"),
    ("ja", "2022年3月9日〜10日", "日本語・英語（同時通訳）"),
    ("vi", "9\u2009–\u200910 tháng 3, 2022", "Tiếng Nhật / Tiếng Anh (phiên dịch đồng thời)"),
])
def test_the_event_list_and_overview_give_the_dates_as_a_range(client, forum, language, period,
                                                               languages):
    assert period in text_of(client.get(f"/{language}/"))
    overview = text_of(client.get(f"/{language}/events/zccf-2022/"))
    assert languages in overview


@pytest.mark.django_db
def test_a_one_day_event_is_dated_without_a_range(client, dien_bien):
    assert "12 January 2024" in text_of(client.get("/en/"))
    assert "2024年1月12日" in text_of(client.get("/ja/"))
    assert "12 tháng 1, 2024" in text_of(client.get("/vi/"))


@pytest.mark.django_db
def test_a_kind_label_that_repeats_the_title_is_not_shown_twice(client, forum):
    response = client.get("/vi/events/zccf-2022/agenda/")
    html = response.content.decode()
    closing = re.search(r'<article class="session session--closing_plenary.*?</article>', html,
                        flags=re.S).group(0)
    assert "Bế mạc Hội nghị toàn thể" in closing
    assert "session__kind" not in closing
    framing = re.search(r'<article class="session session--framing.*?</article>', html,
                        flags=re.S).group(0)
    assert "session__kind" not in framing  # "Phiên họp khung: …" already says it


# Two Japanese or Chinese characters (kana, kanji, full-width forms) with ASCII
# ", ", " (" or ": " between them: English punctuation inside Japanese text.
CJK = r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
ENGLISH_PUNCTUATION_IN_JAPANESE = re.compile(f"{CJK}(?:, | \\(|: ){CJK}")


@pytest.mark.django_db(transaction=True)  # the registration pages need emails sent on commit
def test_no_japanese_page_puts_english_punctuation_between_japanese_words(
        client, forum, dien_bien):
    confirm_value, token = registrations(forum)
    offences = {}
    for name, path in public_pages("ja", forum, dien_bien, confirm_value, token,
                                   every_session=True):
        response = client.get(path)
        found = ENGLISH_PUNCTUATION_IN_JAPANESE.findall(text_of(response))
        if found:
            offences[name] = found
    assert offences == {}


def test_the_punctuation_check_sees_what_it_must():
    assert ENGLISH_PUNCTUATION_IN_JAPANESE.findall("水曜日, 2022年 環境大臣, 環境省 開会 (登壇者)")
    assert not ENGLISH_PUNCTUATION_IN_JAPANESE.findall("環境大臣、環境省（MOEJ）2022年3月9日(水)")


# --- emails ---------------------------------------------------------------------------

def _register(forum, language, capture):
    from registration import services

    sessions = list(Session.objects.filter(
        event=forum, slug__in=["parallel-session-1", "parallel-session-3"]))
    details = services.Details(
        full_name="山田花子" if language == "ja" else "Nguyễn Thị Lan",
        email=f"{language}@example.org", sector="local_government", language=language,
        channel="ja", choices=sessions)
    with capture(execute=True):
        registration = services.register(forum, details)
    value = re.search(r"/registration/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)
    with capture(execute=True):
        services.confirm(value)
    registration.refresh_from_db()
    return registration


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "new_york", "tokyo"), [
    ("ja", "2022年3月10日(木) 7:10〜8:00 EST", "2022年3月10日(木) 21:10〜22:00 JST"),
    ("vi", "Thứ Năm, 10 tháng 3, 2022, 07:10–08:00 EST",
     "Thứ Năm, 10 tháng 3, 2022, 21:10–22:00 JST"),
])
def test_emails_print_times_as_the_pages_do(forum, language, new_york, tokyo,
                                           django_capture_on_commit_callbacks):
    from agenda.services import save_session
    from registration import emails

    capture = django_capture_on_commit_callbacks
    registration = _register(forum, language, capture)
    request, confirmation = mail.outbox[-2:]
    if language == "ja":  # Japanese sentences follow one another without a space
        assert ("。 " in request.body, "。 " in confirmation.body) == (False, False)
    assert new_york in confirmation.body and tokyo in confirmation.body
    assert new_york in confirmation.alternatives[0][0]

    with capture(execute=True):
        emails.send_reminder(registration)
    reminder = mail.outbox[-1]
    assert new_york in reminder.body and tokyo in reminder.body

    session = Session.objects.get(event=forum, slug="parallel-session-1")
    session.start = in_new_york(2022, 3, 10, 7, 20)
    session.end = in_new_york(2022, 3, 10, 8, 0)
    with capture(execute=True):
        save_session(session)
        call_command("notify_changes", event=forum.slug, stdout=io.StringIO())
    notice = mail.outbox[-1]
    moved = {"ja": "2022年3月10日(木) 7:20〜8:00 EST",
             "vi": "Thứ Năm, 10 tháng 3, 2022, 07:20–08:00 EST"}
    assert new_york in notice.body and moved[language] in notice.body
