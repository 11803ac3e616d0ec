"""Copying an event into its next edition (command, admin action) and the demonstration copy."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from agenda import editions
from agenda.models import Day, Event, EventOrganisation, Session, SessionChange, SessionSpeaker
from agenda.services import save_session

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def _local_times(event, zone=NEW_YORK):
    return [
        (s.slug, s.start.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
         s.end.astimezone(zone).strftime("%H:%M"))
        for s in event.sessions.order_by("start", "track", "slug")
    ]


@pytest.fixture
def copy_2026(forum):
    # 7 March 2026 is a Saturday in EST; New York moves to EDT on Sunday 8 March,
    # so Day 1 is EST and Day 2 EDT: a DST change between the two days.
    return editions.copy_event(forum, slug="zccf-2026", start_date=dt.date(2026, 3, 7))


def test_days_move_to_the_new_first_day_and_keep_their_numbers(forum, copy_2026):
    assert list(copy_2026.days.values_list("number", "date")) == [
        (1, dt.date(2026, 3, 7)), (2, dt.date(2026, 3, 8)),
    ]
    labels = ["number", "label_en", "label_ja", "label_vi"]
    assert list(copy_2026.days.values_list(*labels)) == list(forum.days.values_list(*labels))


def test_days_with_gaps_keep_their_gaps_and_are_numbered_by_date(forum):
    Day.objects.filter(event=forum, number=2).update(date=dt.date(2022, 3, 12), label_en="Late")
    Session.objects.filter(event=forum, day__number=2).delete()
    copy = editions.copy_event(forum, slug="gaps", start_date=dt.date(2030, 1, 1))
    assert list(copy.days.values_list("number", "date", "label_en")) == [
        (1, dt.date(2030, 1, 1), ""), (2, dt.date(2030, 1, 4), "Late"),
    ]


def test_sessions_keep_their_new_york_wall_clock_across_the_dst_change(forum, copy_2026):
    assert copy_2026.sessions.count() == forum.sessions.count() == 15
    before = {slug: (start[11:16], end) for slug, start, end in _local_times(forum)}
    after = {slug: (start[11:16], end) for slug, start, end in _local_times(copy_2026)}
    assert after == before
    opening_1 = copy_2026.sessions.get(slug="opening-remarks-day-1")
    opening_2 = copy_2026.sessions.get(slug="opening-remarks-day-2")
    # 20:00 EST = 01:00 UTC; 07:00 EDT = 11:00 UTC (an hour earlier than in 2022's EST).
    assert opening_1.start == dt.datetime(2026, 3, 8, 1, 0, tzinfo=dt.UTC)
    assert opening_1.start.astimezone(NEW_YORK).strftime("%H:%M %Z") == "20:00 EST"
    assert opening_2.start == dt.datetime(2026, 3, 8, 11, 0, tzinfo=dt.UTC)
    assert opening_2.start.astimezone(NEW_YORK).strftime("%H:%M %Z") == "07:00 EDT"
    assert opening_2.start.astimezone(TOKYO).strftime("%d %H:%M") == "08 20:00"
    assert forum.sessions.get(slug="opening-remarks-day-2").start == dt.datetime(
        2022, 3, 10, 12, 0, tzinfo=dt.UTC
    )


def test_every_session_sits_on_the_copied_day_with_its_fields(forum, copy_2026):
    fields = ["slug", "kind", "status", "capacity", "livestream_url", "day__number",
              "title_en", "title_ja", "title_vi", "description_en", "description_ja",
              "description_vi", "track_en", "track_ja", "track_vi"]
    original = list(forum.sessions.order_by("slug").values_list(*fields))
    assert list(copy_2026.sessions.order_by("slug").values_list(*fields)) == original
    assert set(copy_2026.sessions.values_list("day__event", flat=True)) == {copy_2026.pk}


def test_new_uuids_and_sequence_zero(forum, copy_2026):
    session = forum.sessions.get(slug="session-1")
    session.start += dt.timedelta(minutes=5)
    session.end += dt.timedelta(minutes=5)
    save_session(session)  # the old edition has a SEQUENCE 1 session
    old = set(forum.sessions.values_list("uuid", flat=True))
    new = set(copy_2026.sessions.values_list("uuid", flat=True))
    assert len(new) == 15 and old.isdisjoint(new)
    assert set(copy_2026.sessions.values_list("sequence", flat=True)) == {0}


def test_translations_organisations_and_speakers_are_the_same(forum, copy_2026):
    for code in ("en", "ja", "vi"):
        for name in ("name", "tagline", "description", "aims", "venue"):
            field = f"{name}_{code}"
            assert getattr(copy_2026, field) == getattr(forum, field)
    links = ["organisation__slug", "role", "order"]
    assert list(copy_2026.event_organisations.values_list(*links)) == list(
        forum.event_organisations.values_list(*links)
    )
    speakers = ["session__slug", "speaker_id", "role", "order"]
    assert list(SessionSpeaker.objects.filter(session__event=copy_2026).values_list(*speakers)) \
        == list(SessionSpeaker.objects.filter(session__event=forum).values_list(*speakers)) \
        == [("opening-remarks-day-1", forum.sessions.get(
            slug="opening-remarks-day-1").speakers.get().pk, "speaker", 1)]
    for field in ("format", "reference_timezone", "display_timezones", "livestream_url",
                  "languages", "has_interpretation", "capacity", "contact_email"):
        assert getattr(copy_2026, field) == getattr(forum, field)


def test_the_copy_is_a_draft_with_registration_closed_and_nothing_else(forum, copy_2026):
    assert (copy_2026.published, copy_2026.registration_open) == (False, False)
    assert SessionChange.objects.filter(session__event=copy_2026).count() == 0
    assert copy_2026.registrations.count() == 0
    assert Event.objects.count() == 3
    assert (Day.objects.count(), EventOrganisation.objects.count()) == (5, 17)


def test_the_command_copies_and_says_so(forum, capsys):
    call_command("clone_event", "zccf-2022", "--slug", "zccf-2023", "--start-date", "2023-03-08")
    assert capsys.readouterr().out == (
        "Created zccf-2023 from zccf-2022: 2 day(s) from 2023-03-08, 15 session(s). It is a "
        "draft with registration closed: publish it in the admin when it is ready.\n"
    )
    copy = Event.objects.get(slug="zccf-2023")
    assert copy.sessions.get(slug="opening-remarks-day-1").start == dt.datetime(
        2023, 3, 9, 1, 0, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nope", "--slug", "x-1", "--start-date", "2023-03-08"],
         "No event with the slug 'nope' (known: dien-bien-2024, zccf-2022)."),
        (["zccf-2022", "--slug", "dien-bien-2024", "--start-date", "2023-03-08"],
         "An event with the slug “dien-bien-2024” exists already."),
        (["zccf-2022", "--slug", "two words", "--start-date", "2023-03-08"],
         "“two words” is not a valid slug: use letters, digits, hyphens and underscores "
         "(at most 80)."),
        (["zccf-2022", "--slug", "zccf-2023", "--start-date", "8 March"],
         "'8 March' is not a date written YYYY-MM-DD."),
    ],
)
def test_the_command_refuses_bad_input_clearly(forum, arguments, message):
    with pytest.raises(CommandError) as raised:
        call_command("clone_event", *arguments)
    assert str(raised.value) == message
    assert Event.objects.count() == 2


@pytest.fixture
def organiser_client(db, client):
    user = get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    client.force_login(user)
    return client


def _action(event, **extra):
    return {"action": "copy_as_new_edition", "_selected_action": [event.pk], **extra}


def test_the_admin_action_asks_for_slug_and_first_day_then_copies(organiser_client, forum):
    url = reverse("admin:agenda_event_changelist")
    asked = organiser_client.post(url, _action(forum))
    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/agenda/event/copy_edition.html"
    assert list(asked.context["form"].fields) == ["slug", "start_date"]
    assert Event.objects.count() == 2

    done = organiser_client.post(url, _action(forum, apply="1", slug="zccf-2023",
                                          start_date="2023-03-08"))
    copy = Event.objects.get(slug="zccf-2023")
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:agenda_event_change", args=[copy.pk])
    assert copy.sessions.count() == 15 and not copy.published


def test_the_admin_action_shows_a_taken_slug_and_copies_nothing(organiser_client, forum):
    response = organiser_client.post(reverse("admin:agenda_event_changelist"),
                                 _action(forum, apply="1", slug="dien-bien-2024",
                                         start_date="2023-03-08"))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "slug": ["An event with the slug “dien-bien-2024” exists already."]
    }
    assert Event.objects.count() == 2


def test_the_demonstration_event_is_near_labelled_open_and_published(forum, capsys):
    today = dt.datetime.now(NEW_YORK).date()
    call_command("create_demo_event")
    demo = Event.objects.get(slug="zccf-2022-demo")
    first = today + dt.timedelta(days=7)
    assert capsys.readouterr().out == (
        f"Created the demonstration event zccf-2022-demo (Demonstration: Zero Carbon City "
        f"International Forum), from {first.isoformat()}, published, registration open: "
        "/en/events/zccf-2022-demo/register/\n"
    )
    assert (demo.name_en, demo.name_ja, demo.name_vi) == (
        "Demonstration: Zero Carbon City International Forum",
        "デモ：ゼロカーボンシティ国際フォーラム",
        "Bản trình diễn: Diễn đàn Quốc tế Thành phố Zero Carbon",
    )
    assert (demo.published, demo.registration_open) == (True, True)
    assert demo.days.order_by("number").first().date == first
    assert Session.objects.filter(event=demo).count() == 15
    forum.refresh_from_db()
    assert forum.name_en == "Zero Carbon City International Forum"


def test_the_demonstration_of_an_event_without_sessions(dien_bien):
    call_command("create_demo_event", "dien-bien-2024", "--start-date", "2027-01-12",
                 verbosity=0)
    demo = Event.objects.get(slug="dien-bien-2024-demo")
    assert list(demo.days.values_list("date", flat=True)) == [dt.date(2027, 1, 12)]
    assert demo.name_vi.startswith("Bản trình diễn: ")


def test_the_demonstration_twice_asks_for_another_slug(forum):
    call_command("create_demo_event", verbosity=0)
    with pytest.raises(CommandError) as raised:
        call_command("create_demo_event")
    assert str(raised.value) == (
        "An event with the slug “zccf-2022-demo” exists already. Give another --slug."
    )


def test_recordings_stay_with_the_edition_that_was_recorded(forum):
    forum.recording_url = "https://www.youtube.com/watch?v=forum2022"
    forum.save()
    forum.sessions.filter(slug="parallel-session-1").update(
        recording_url="https://www.youtube.com/watch?v=ps1-2022"
    )
    copy = editions.copy_event(forum, slug="zccf-2027", start_date=dt.date(2027, 3, 9))
    assert copy.recording_url == ""
    assert list(copy.sessions.exclude(recording_url="").values_list("slug", flat=True)) == []
    forum.refresh_from_db()
    assert forum.recording_url == "https://www.youtube.com/watch?v=forum2022"
