"""The seed fixtures say exactly what the seeds in ../shared/seeds/ say.

Times are checked in UTC, in New York (EST) and in Tokyo (JST), each computed
here with zoneinfo so that a wrong offset in the fixture cannot hide behind
the code under test.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from agenda.models import (
    Day,
    Event,
    EventOrganisation,
    Organisation,
    Session,
    SessionSpeaker,
    Speaker,
)

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LANGUAGES = ("en", "ja", "vi")

# slug, day, kind, start and end in UTC, in EST (New York), in JST (Tokyo).
FORUM_PROGRAMME = [
    ("opening-remarks-day-1", 1, "opening",
     "2022-03-10 01:00", "2022-03-10 01:10",
     "2022-03-09 20:00", "2022-03-09 20:10", "2022-03-10 10:00", "2022-03-10 10:10"),
    ("framing-session", 1, "framing",
     "2022-03-10 01:10", "2022-03-10 01:20",
     "2022-03-09 20:10", "2022-03-09 20:20", "2022-03-10 10:10", "2022-03-10 10:20"),
    ("session-1", 1, "plenary",
     "2022-03-10 01:20", "2022-03-10 02:00",
     "2022-03-09 20:20", "2022-03-09 21:00", "2022-03-10 10:20", "2022-03-10 11:00"),
    ("break-day-1", 1, "break",
     "2022-03-10 02:00", "2022-03-10 02:05",
     "2022-03-09 21:00", "2022-03-09 21:05", "2022-03-10 11:00", "2022-03-10 11:05"),
    ("session-2", 1, "plenary",
     "2022-03-10 02:05", "2022-03-10 03:05",
     "2022-03-09 21:05", "2022-03-09 22:05", "2022-03-10 11:05", "2022-03-10 12:05"),
    ("closing-remarks-day-1", 1, "closing",
     "2022-03-10 03:05", "2022-03-10 03:10",
     "2022-03-09 22:05", "2022-03-09 22:10", "2022-03-10 12:05", "2022-03-10 12:10"),
    ("opening-remarks-day-2", 2, "opening",
     "2022-03-10 12:00", "2022-03-10 12:10",
     "2022-03-10 07:00", "2022-03-10 07:10", "2022-03-10 21:00", "2022-03-10 21:10"),
    ("parallel-session-1", 2, "parallel",
     "2022-03-10 12:10", "2022-03-10 13:00",
     "2022-03-10 07:10", "2022-03-10 08:00", "2022-03-10 21:10", "2022-03-10 22:00"),
    ("parallel-session-2", 2, "parallel",
     "2022-03-10 12:10", "2022-03-10 13:00",
     "2022-03-10 07:10", "2022-03-10 08:00", "2022-03-10 21:10", "2022-03-10 22:00"),
    ("break-day-2-morning", 2, "break",
     "2022-03-10 13:00", "2022-03-10 13:05",
     "2022-03-10 08:00", "2022-03-10 08:05", "2022-03-10 22:00", "2022-03-10 22:05"),
    ("parallel-session-3", 2, "parallel",
     "2022-03-10 13:05", "2022-03-10 13:55",
     "2022-03-10 08:05", "2022-03-10 08:55", "2022-03-10 22:05", "2022-03-10 22:55"),
    ("parallel-session-4", 2, "parallel",
     "2022-03-10 13:05", "2022-03-10 13:55",
     "2022-03-10 08:05", "2022-03-10 08:55", "2022-03-10 22:05", "2022-03-10 22:55"),
    ("break-day-2-late", 2, "break",
     "2022-03-10 13:55", "2022-03-10 14:00",
     "2022-03-10 08:55", "2022-03-10 09:00", "2022-03-10 22:55", "2022-03-10 23:00"),
    ("closing-plenary", 2, "closing_plenary",
     "2022-03-10 14:00", "2022-03-10 14:10",
     "2022-03-10 09:00", "2022-03-10 09:10", "2022-03-10 23:00", "2022-03-10 23:10"),
    ("closing-remarks-day-2", 2, "closing",
     "2022-03-10 14:10", "2022-03-10 14:15",
     "2022-03-10 09:10", "2022-03-10 09:15", "2022-03-10 23:10", "2022-03-10 23:15"),
]

# The sessions' calendar UIDs: hard-coded in the fixture, never to change.
FORUM_UUIDS = {
    "opening-remarks-day-1": "24c25254-b718-4c0c-ab35-e9fc1048bb75",
    "framing-session": "a40b8970-abc7-4ec1-9aff-f3ced1b1752d",
    "session-1": "48892350-98ac-4415-b7a3-e93139365e57",
    "break-day-1": "1cc3393c-5698-41a8-bf6b-f98eed8834e0",
    "session-2": "9c4a25ba-aa7b-4c32-92aa-29845dea0630",
    "closing-remarks-day-1": "6ea45bf7-1837-416c-a9f5-1ebb1ea13d8b",
    "opening-remarks-day-2": "d09ec45a-b333-4ec9-a1c1-5a7c87fbc375",
    "parallel-session-1": "fff369ed-fb64-4735-9f3b-45cd79081e50",
    "parallel-session-2": "1268a030-8a6a-476c-8582-9b9de743b10b",
    "break-day-2-morning": "6230e650-78b2-492d-bd04-f71849c0a60d",
    "parallel-session-3": "b383e0fa-753c-4f62-af47-f96c6ea97f44",
    "parallel-session-4": "93ff2b5d-d212-4cc4-b578-2b02da731af5",
    "break-day-2-late": "d086b40b-e453-4ae8-96e9-7f23fd248abc",
    "closing-plenary": "c9ffd7d6-28fe-48a8-b765-541b6e41a9f1",
    "closing-remarks-day-2": "088814cf-d294-4f18-aabd-24b003116cba",
}


def _at(moment, zone):
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _rows(queryset, *fields):
    return [tuple(getattr(obj, field) for field in fields) for obj in queryset]


def _row_counts():
    models = (Organisation, Event, EventOrganisation, Day, Speaker, Session, SessionSpeaker)
    return {model.__name__: model.objects.count() for model in models}


# --- The forum ---------------------------------------------------------------


def test_forum_sessions_start_and_end_in_utc_est_and_jst(forum):
    sessions = forum.sessions.select_related("day").order_by("start", "slug")
    actual = [
        (
            s.slug, s.day.number, s.kind,
            _at(s.start, UTC), _at(s.end, UTC),
            _at(s.start, NEW_YORK), _at(s.end, NEW_YORK),
            _at(s.start, TOKYO), _at(s.end, TOKYO),
        )
        for s in sessions
    ]
    assert actual == FORUM_PROGRAMME
    assert len(actual) == 15


def test_forum_times_are_est_and_jst_on_those_dates(forum):
    names = {
        (s.start.astimezone(NEW_YORK).tzname(), s.start.astimezone(TOKYO).tzname())
        for s in forum.sessions.all()
    }
    assert names == {("EST", "JST")}


def test_forum_first_session_is_ten_in_the_morning_in_tokyo(forum):
    opening = forum.sessions.get(slug="opening-remarks-day-1")
    assert opening.start == datetime(2022, 3, 10, 1, 0, tzinfo=UTC)
    assert opening.start.astimezone(TOKYO) == datetime(2022, 3, 10, 10, 0, tzinfo=TOKYO)
    assert opening.start.astimezone(NEW_YORK) == datetime(2022, 3, 9, 20, 0, tzinfo=NEW_YORK)


def test_forum_days_are_dated_in_new_york(forum):
    assert _rows(forum.days.order_by("number"), "number", "date") == [
        (1, date(2022, 3, 9)),
        (2, date(2022, 3, 10)),
    ]
    assert [day.label for day in forum.days.order_by("number")] == ["", ""]


def test_forum_session_slugs_in_order_per_day(forum):
    by_day = {
        day.number: list(day.sessions.order_by("start", "slug").values_list("slug", flat=True))
        for day in forum.days.all()
    }
    assert by_day == {
        1: [
            "opening-remarks-day-1",
            "framing-session",
            "session-1",
            "break-day-1",
            "session-2",
            "closing-remarks-day-1",
        ],
        2: [
            "opening-remarks-day-2",
            "parallel-session-1",
            "parallel-session-2",
            "break-day-2-morning",
            "parallel-session-3",
            "parallel-session-4",
            "break-day-2-late",
            "closing-plenary",
            "closing-remarks-day-2",
        ],
    }


def test_forum_sessions_run_back_to_back(forum):
    for day in forum.days.all():
        sessions = list(day.sessions.order_by("start", "slug"))
        starts = sorted({s.start for s in sessions})
        ends = sorted({s.end for s in sessions})
        assert starts[1:] == ends[:-1]


def test_forum_sessions_are_valid_for_the_model(forum):
    for session in forum.sessions.all():
        session.full_clean()
    forum.full_clean()


def test_forum_parallel_session_tracks(forum):
    parallel = forum.sessions.filter(kind=Session.Kind.PARALLEL).order_by("slug")
    assert _rows(parallel, "slug", "track_en", "track_ja", "track_vi") == [
        ("parallel-session-1", "Parallel session 1", "分科会1", "Phiên song song 1"),
        ("parallel-session-2", "Parallel session 2", "分科会2", "Phiên song song 2"),
        ("parallel-session-3", "Parallel session 3", "分科会3", "Phiên song song 3"),
        ("parallel-session-4", "Parallel session 4", "分科会4", "Phiên song song 4"),
    ]
    others = forum.sessions.exclude(kind=Session.Kind.PARALLEL)
    assert {(s.track_en, s.track_ja, s.track_vi) for s in others} == {("", "", "")}


def test_forum_titles(forum):
    titles = dict(forum.sessions.values_list("slug", "title_en"))
    assert titles == {
        "opening-remarks-day-1": "Opening remarks",
        "framing-session": "Framing session: Role of local governments",
        "session-1": "Session 1: Net-zero transition: how cities move towards zero carbon",
        "break-day-1": "Break",
        "session-2": "Session 2: Working together for a zero-carbon society – national–local "
        "and city-to-city collaboration",
        "closing-remarks-day-1": "Closing remarks",
        "opening-remarks-day-2": "Opening remarks",
        "parallel-session-1": "Parallel session 1: City-to-city collaboration: accelerating "
        "the decarbonisation domino",
        "parallel-session-2": "Parallel session 2: Zero-carbon challenges: trends and "
        "initiatives to drive the transition in key sectors",
        "break-day-2-morning": "Break",
        "parallel-session-3": "Parallel session 3: Pursuing resilient cities",
        "parallel-session-4": "Parallel session 4: Zero-carbon urban development "
        "(zero-carbon town development)",
        "break-day-2-late": "Break",
        "closing-plenary": "Closing plenary",
        "closing-remarks-day-2": "Closing remarks",
    }
    japanese = dict(forum.sessions.values_list("slug", "title_ja"))
    assert japanese["opening-remarks-day-1"] == "開会挨拶"
    assert japanese["break-day-1"] == "休憩"
    assert japanese["closing-remarks-day-2"] == "閉会挨拶"


def test_forum_descriptions_say_what_the_seed_says(forum):
    described = forum.sessions.exclude(description_en="").order_by("start", "slug")
    assert list(described.values_list("slug", flat=True)) == [
        "opening-remarks-day-1",
        "session-1",
        "session-2",
        "parallel-session-1",
        "parallel-session-2",
        "parallel-session-3",
        "parallel-session-4",
        "closing-plenary",
    ]
    opening = forum.sessions.get(slug="opening-remarks-day-1")
    assert "representative from the United States" in opening.description_en
    assert "Hoa Kỳ" in opening.description_vi
    assert "米国" in opening.description_ja
    closing = forum.sessions.get(slug="closing-plenary")
    assert closing.description_en == "Review of the forum by the rapporteurs."
    assert closing.description_vi == "Đánh giá diễn đàn từ các Báo cáo viên."


def test_forum_opening_speaker(forum):
    links = SessionSpeaker.objects.filter(session__event=forum)
    assert _rows(links, "session_id", "speaker_id", "role", "order") == [
        (
            forum.sessions.get(slug="opening-remarks-day-1").pk,
            Speaker.objects.get(slug="yamaguchi-tsuyoshi").pk,
            "speaker",
            1,
        )
    ]
    speaker = Speaker.objects.get(slug="yamaguchi-tsuyoshi")
    assert (speaker.name_en, speaker.name_ja, speaker.name_vi) == (
        "YAMAGUCHI Tsuyoshi", "山口壯", "YAMAGUCHI Tsuyoshi"
    )
    assert (speaker.position_en, speaker.position_ja, speaker.position_vi) == (
        "Minister of the Environment, Japan", "環境大臣", "Bộ trưởng Bộ Môi trường Nhật Bản"
    )
    # The position names the ministry already: no organisation, so it is not repeated.
    assert speaker.organisation is None
    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    assert (opening.other_participants_en, opening.other_participants_ja,
            opening.other_participants_vi) == (
        "Representative of the United States", "米国代表", "Đại diện Hoa Kỳ")
    assert Speaker.objects.count() == 1


def test_forum_organisations_with_roles_in_order(forum):
    links = forum.event_organisations.select_related("organisation").order_by("order")
    assert [(link.organisation.name_en, link.role, link.order) for link in links] == [
        ("Ministry of the Environment, Japan", "organiser", 1),
        (
            "Office of the Special Presidential Envoy for Climate, United States of America",
            "organiser",
            2,
        ),
        ("United Nations Framework Convention on Climate Change", "collaborator", 3),
        ("ICLEI – Local Governments for Sustainability", "collaborator", 4),
        ("Institute for Global Environmental Strategies", "collaborator", 5),
        ("Institute for Global Environmental Strategies", "contact", 6),
    ]
    assert [link.organisation.short_name_en for link in links] == [
        "MOEJ", "", "UNFCCC", "", "IGES", "IGES"  # ICLEI's name starts with its acronym
    ]


def test_forum_event_facts(forum):
    assert forum.name_en == "Zero Carbon City International Forum"
    assert forum.name_vi == "Diễn đàn Quốc tế Thành phố Zero Carbon"
    assert forum.format == Event.Format.ONLINE
    assert forum.reference_timezone == "America/New_York"
    assert forum.display_zones == ["America/New_York", "Asia/Tokyo"]
    assert forum.language_codes == ["ja", "en"]  # as the seed writes them
    assert forum.has_interpretation is True
    assert forum.contact_email == "decarbozingcities@iges.or.jp"
    assert forum.livestream_url == ""
    assert forum.livestream_platform == "YouTube"
    assert forum.venue_en == ""


def test_forum_aims_one_per_line(forum):
    assert forum.aims_en.splitlines() == [
        "Share leading local climate policies and actions.",
        "Encourage city-to-city collaboration to spread the “decarbonisation domino effect” "
        "by sharing lessons and opportunities.",
        "Discuss how multi-level governance can facilitate local and national climate action.",
    ]
    assert len(forum.aims_ja.splitlines()) == 3
    assert len(forum.aims_vi.splitlines()) == 3


def test_forum_background_keeps_the_seed_figures(forum):
    for text, figures in (
        (forum.description_en, ["1,115", "534", "89%", "1.5 °C", "2050", "100"]),
        (forum.description_ja, ["1,115", "534", "89％", "1.5℃", "2050", "100"]),
        (forum.description_vi, ["1115", "534", "89%", "1,5 độ C", "2050", "100"]),
    ):
        assert [figure in text for figure in figures] == [True] * len(figures)
        assert len(text.split("\n\n")) == 5


def test_session_uuids_are_unique_and_stable(seed_events):
    uuids = {str(s.uuid): s.slug for s in Session.objects.all()}
    assert len(uuids) == Session.objects.count()
    assert {slug: uid for uid, slug in uuids.items()} == FORUM_UUIDS


def test_sessions_are_at_sequence_zero_with_a_fixed_update_time(seed_events):
    assert set(Session.objects.values_list("sequence", "updated_at", "status")) == {
        (0, datetime(2022, 2, 15, tzinfo=UTC), "scheduled")
    }


# --- Điện Biên -----------------------------------------------------------------


def test_dien_bien_has_one_day_and_no_sessions(dien_bien):
    assert _rows(dien_bien.days.all(), "number", "date") == [(1, date(2024, 1, 12))]
    assert dien_bien.sessions.count() == 0


def test_dien_bien_event_facts(dien_bien):
    assert dien_bien.name_vi == (
        "Hội thảo Phát triển đô thị xanh, thông minh gắn với thị trường tín chỉ cacbon "
        "tỉnh Điện Biên"
    )
    assert dien_bien.name_en == (
        "Workshop on green, smart urban development linked to the carbon credit market, "
        "Điện Biên province"
    )
    assert dien_bien.format == Event.Format.IN_PERSON
    assert (dien_bien.venue_en, dien_bien.venue_vi) == (
        "Điện Biên province, Vietnam", "Tỉnh Điện Biên, Việt Nam"
    )
    assert dien_bien.reference_timezone == "Asia/Ho_Chi_Minh"
    assert dien_bien.display_zones == ["Asia/Ho_Chi_Minh"]
    assert dien_bien.language_codes == ["vi"]
    assert dien_bien.has_interpretation is False
    assert dien_bien.contact_email == ""
    assert dien_bien.livestream_url == ""
    dien_bien.full_clean()


def test_dien_bien_organisations_with_roles_in_order(dien_bien):
    links = dien_bien.event_organisations.select_related("organisation").order_by("order")
    assert [(link.organisation.name_vi, link.role, link.order) for link in links] == [
        ("Sở Xây dựng tỉnh Điện Biên", "organiser", 1),
        ("Viện Quản lý phát triển đô thị", "co_organiser", 2),
        ("Viện Chiến lược chuyển đổi số", "co_organiser", 3),
        ("Viện Nghiên cứu tăng trưởng xanh", "co_organiser", 4),
        ("Viện Kiến trúc nhiệt đới", "co_organiser", 5),
    ]
    assert [link.organisation.name_en for link in links] == [
        "Department of Construction of Điện Biên Province",
        "Institute of Urban Development Management",
        "Institute of Digital Transformation Strategy",
        "Green Growth Research Institute",
        "Institute of Tropical Architecture",
    ]


def test_dien_bien_forest_figures_in_every_language(dien_bien):
    assert "more than 409,033 ha of natural forest, of which planted forest is 8,311 ha" in (
        dien_bien.description_en
    )
    assert "天然林の面積は409,033ha以上あり、そのうち植林地は8,311ha" in dien_bien.description_ja
    assert (
        "diện tích rừng tự nhiên của Điện Biên có hơn 409.033ha, trong đó rừng trồng 8.311ha"
        in dien_bien.description_vi
    )


def test_dien_bien_description_keeps_the_seed_statements(dien_bien):
    for text, names in (
        (dien_bien.description_en, ["Nguyễn Thành Phong", "Phạm Minh Chính"]),
        (dien_bien.description_ja, ["グエン・タイン・フォン", "ファム・ミン・チン"]),
        (dien_bien.description_vi, ["Nguyễn Thành Phong", "Phạm Minh Chính"]),
    ):
        assert [name in text for name in names] == [True, True]
        assert [cop in text for cop in ("COP27", "COP28", "06/2022/NĐ-CP")] == [True] * 3
        assert len(text.split("\n\n")) == 6
    assert "COP26 (2021)" in dien_bien.description_en
    assert "COP 26 (2021)" in dien_bien.description_vi


def test_dien_bien_aims_one_per_line(dien_bien):
    assert dien_bien.aims_vi.splitlines()[:3] == [
        "Đô thị tăng trưởng xanh tỉnh Điện Biên trong tương lai.",
        "Đô thị thông minh tỉnh Điện Biên trong tương lai.",
        "Đô thị ứng phó biến đổi khí hậu (BĐKH) tỉnh Điện Biên trong tương lai.",
    ]
    counts = [len(getattr(dien_bien, f"aims_{lang}").splitlines()) for lang in LANGUAGES]
    assert counts == [6, 6, 6]


# --- Both ---------------------------------------------------------------------


def _translated(obj, field):
    return [getattr(obj, f"{field}_{lang}") for lang in LANGUAGES]


def _translation_gaps(obj, fields):
    """Fields with an English value but a missing or untranslated ja/vi value."""
    gaps = []
    for field in fields:
        en, ja, vi = _translated(obj, field)
        if en and not (ja and vi and ja != en):
            gaps.append((str(obj), field))
    return gaps


def test_every_text_has_english_japanese_and_vietnamese(seed_events):
    gaps = []
    for event in Event.objects.all():
        assert _translated(event, "name")[0]
        assert event.description_en and event.aims_en and event.tagline_en
        gaps += _translation_gaps(event, ["name", "tagline", "description", "aims", "venue"])
    for session in Session.objects.all():
        assert session.title_en
        gaps += _translation_gaps(session, ["title", "description", "track"])
    for organisation in Organisation.objects.all():
        gaps += _translation_gaps(organisation, ["name"])
    for speaker in Speaker.objects.all():
        gaps += _translation_gaps(speaker, ["position"])
        assert all(_translated(speaker, "name"))
    assert gaps == []


def test_plain_columns_hold_the_english_value(seed_events):
    checks = {
        "agenda_event": ("name", "description"),
        "agenda_session": ("title", "description", "track"),
        "agenda_organisation": ("name", "short_name"),
        "agenda_speaker": ("name", "position"),
    }
    with connection.cursor() as cursor:
        for table, fields in checks.items():
            columns = ", ".join(f"{f}, {f}_en" for f in fields)
            cursor.execute(f"SELECT {columns} FROM {table}")
            rows = cursor.fetchall()
            assert rows
            assert [row[0::2] for row in rows] == [row[1::2] for row in rows]


def test_loading_twice_leaves_the_same_rows(seed_events):
    before = _row_counts()
    uuids = sorted(Session.objects.values_list("uuid", flat=True))
    call_command("loaddata", "zccf-2022", "dien-bien-2024", verbosity=0)
    assert _row_counts() == before
    assert sorted(Session.objects.values_list("uuid", flat=True)) == uuids
    assert before == {
        "Organisation": 10,
        "Event": 2,
        "EventOrganisation": 11,
        "Day": 3,
        "Speaker": 1,
        "Session": 15,
        "SessionSpeaker": 1,
    }


@pytest.mark.parametrize(
    ("label", "events", "sessions"),
    [("zccf-2022", ["zccf-2022"], 15), ("dien-bien-2024", ["dien-bien-2024"], 0)],
)
def test_each_fixture_loads_alone(no_seed_events, label, events, sessions):
    call_command("loaddata", label, verbosity=0)
    call_command("loaddata", label, verbosity=0)
    assert list(Event.objects.values_list("slug", flat=True)) == events
    assert Session.objects.count() == sessions
