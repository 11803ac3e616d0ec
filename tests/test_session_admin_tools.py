"""Programmes that are not the forum's: more kinds, warnings before saving, moving by minutes."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from agenda import services
from agenda.models import Session, SessionChange, SessionSpeaker, Speaker
from tests.factories import make_day, make_event, make_session
from tests.test_admin import errors_of, session_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    user = get_user_model().objects.create_superuser("organiser", "o@example.org", "pw-Forum-2022")
    client.force_login(user)
    return client


@pytest.fixture
def day():
    return make_day(make_event("tools-event"), 1, date(2022, 3, 9))


NEW_KINDS = {
    "talk": ("Talk", "講演", "Bài trình bày"),
    "keynote": ("Keynote", "基調講演", "Bài phát biểu chính"),
    "panel": ("Panel discussion", "パネルディスカッション", "Phiên thảo luận"),
    "workshop": ("Workshop", "ワークショップ", "Hội thảo chuyên đề"),
    "networking": ("Networking", "交流会", "Giao lưu kết nối"),
    "other": ("Other", "その他", "Khác"),
}


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_new_kinds_have_labels_in_three_languages(kind):
    labels = []
    for code in ("en", "ja", "vi"):
        with translation.override(code):
            labels.append(str(Session.Kind(kind).label))
    assert tuple(labels) == NEW_KINDS[kind]


def test_the_forums_kinds_are_kept(forum):
    assert sorted(set(forum.sessions.values_list("kind", flat=True))) == [
        "break", "closing", "closing_plenary", "framing", "opening", "parallel", "plenary",
    ]


def test_a_workshop_is_a_workshop_in_schedule_json(client, day):
    make_session(day, datetime(2022, 3, 9, 10, 0), slug="w", kind=Session.Kind.WORKSHOP)
    document = client.get(f"/events/{day.event.slug}/schedule.json").json()
    talk = document["schedule"]["conference"]["days"][0]["rooms"]["Main programme"][0]
    assert (talk["type"], talk["track"]) == ("workshop", "Workshop")


def test_a_session_outside_its_day_saves_once_confirmed(organiser_client, day):
    session = make_session(day, datetime(2022, 3, 9, 20, 0), slug="reception")
    data = session_form(day, datetime(2022, 3, 9, 23, 30), datetime(2022, 3, 10, 0, 30),
                        slug="reception")
    url = reverse("admin:agenda_session_change", args=[session.pk])
    assert organiser_client.post(url, data).status_code == 200
    response = organiser_client.post(url, {**data, "save_despite_warnings": "on"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.end == datetime(2022, 3, 10, 5, 30, tzinfo=UTC)


def test_editing_the_title_of_a_session_outside_its_day_does_not_nag(organiser_client, day):
    session = make_session(day, datetime(2022, 3, 9, 23, 30), minutes=60, slug="reception")
    data = session_form(day, datetime(2022, 3, 9, 23, 30), datetime(2022, 3, 10, 0, 30),
                        slug="reception", title="Evening reception")
    response = organiser_client.post(
        reverse("admin:agenda_session_change", args=[session.pk]), data
    )
    assert response.status_code == 302


def _with_speaker(data, speaker):
    return {
        **data,
        "session_speakers-TOTAL_FORMS": "1",
        "session_speakers-0-speaker": speaker.pk,
        "session_speakers-0-role": "speaker",
        "session_speakers-0-order": "1",
    }


def test_a_speaker_in_two_sessions_at_once_is_a_warning_until_confirmed(organiser_client, day):
    speaker = Speaker.objects.create(slug="hanako", name="Hanako Sato")
    busy = make_session(day, datetime(2022, 3, 9, 20, 0), minutes=60, slug="panel-a",
                        track="Room A", title="Panel A")
    SessionSpeaker.objects.create(session=busy, speaker=speaker)
    data = _with_speaker(
        session_form(day, datetime(2022, 3, 9, 20, 30), datetime(2022, 3, 9, 21, 0),
                     slug="panel-b", track="Room B", title="Panel B"),
        speaker,
    )
    url = reverse("admin:agenda_session_add")
    response = organiser_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.non_form_errors()) == [
        "Hanako Sato also speaks at “Panel A” at this time.",
        "If this is intended, tick “Save despite the warnings” and save again.",
    ]
    assert not Session.objects.filter(slug="panel-b").exists()

    assert organiser_client.post(url, {**data, "save_despite_warnings": "on"}).status_code == 302
    assert list(Session.objects.get(slug="panel-b").speakers.all()) == [speaker]


def test_a_cancelled_session_does_not_double_book(organiser_client, day):
    speaker = Speaker.objects.create(slug="hanako", name="Hanako Sato")
    busy = make_session(day, datetime(2022, 3, 9, 20, 0), minutes=60, slug="panel-a",
                        track="Room A", status=Session.Status.CANCELLED)
    SessionSpeaker.objects.create(session=busy, speaker=speaker)
    data = _with_speaker(
        session_form(day, datetime(2022, 3, 9, 20, 30), datetime(2022, 3, 9, 21, 0),
                     slug="panel-b", track="Room B"),
        speaker,
    )
    assert organiser_client.post(reverse("admin:agenda_session_add"), data).status_code == 302


def test_one_track_at_once_stays_an_error_even_when_confirmed(organiser_client, day):
    make_session(day, datetime(2022, 3, 9, 20, 0), minutes=60, slug="a", track="Room A",
                 title="Session A")
    data = session_form(day, datetime(2022, 3, 9, 20, 30), datetime(2022, 3, 9, 21, 0),
                        slug="b", track="Room A")
    response = organiser_client.post(reverse("admin:agenda_session_add"),
                                     {**data, "save_despite_warnings": "on"})
    assert errors_of(response) == {
        "start": ["“Session A” already takes place on Room A at this time."]
    }


def _move(client, sessions, minutes=None):
    data = {"action": "move_by_minutes", "_selected_action": [s.pk for s in sessions]}
    if minutes is not None:
        data.update(apply="1", minutes=str(minutes))
    return client.post(reverse("admin:agenda_session_changelist"), data, follow=minutes is not None)


def test_moving_a_whole_day_by_an_hour_records_each_move(organiser_client, forum):
    day_2 = list(forum.sessions.filter(day__number=2).order_by("start"))
    before = {s.pk: (s.start, s.end, s.sequence) for s in day_2}
    asked = _move(organiser_client, day_2)
    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/agenda/session/move_sessions.html"

    response = _move(organiser_client, day_2, 60)
    assert [str(m) for m in response.context["messages"]] == [
        "9 sessions moved; the moves are recorded for the changelog and the registrants."
    ]
    hour = timedelta(hours=1)
    for session in Session.objects.filter(pk__in=before):
        start, end, sequence = before[session.pk]
        assert (session.start, session.end, session.sequence) == (start + hour, end + hour,
                                                                  sequence + 1)
    changes = SessionChange.objects.filter(session__in=day_2)
    assert changes.count() == 9
    assert {(c.kind, c.new_start - c.old_start, c.changed_by.username) for c in changes} == {
        ("rescheduled", hour, "organiser")
    }
    assert forum.sessions.filter(day__number=1, changes__isnull=False).count() == 0


def test_a_move_that_would_clash_moves_nothing_and_says_why(organiser_client, forum):
    break_ = forum.sessions.get(slug="break-day-1")  # 21:00–21:05 EST, after Session 1
    response = _move(organiser_client, [break_], -5)
    assert response.status_code == 400
    assert list(response.context["form"].non_field_errors()) == [
        "“Break” would share the main programme with “Session 1: Net-zero transition: how "
        "cities move towards zero carbon” at the same time."
    ]
    assert SessionChange.objects.count() == 0


def test_zero_minutes_is_refused(organiser_client, forum):
    response = _move(organiser_client, list(forum.sessions.all()[:1]), 0)
    assert response.context["form"].errors == {
        "minutes": ["Give a number of minutes other than 0."]
    }


def test_the_service_checks_the_whole_move(forum):
    sessions = list(forum.sessions.filter(slug__in=["session-1", "break-day-1"]))
    with pytest.raises(ValidationError) as raised:
        services.move_sessions(sessions, 60)
    assert raised.value.messages == [
        "“Session 1: Net-zero transition: how cities move towards zero carbon” would share the "
        "main programme with “Session 2: Working together for a zero-carbon society – "
        "national–local and city-to-city collaboration” at the same time.",
        "“Break” would share the main programme with “Session 2: Working together for a "
        "zero-carbon society – national–local and city-to-city collaboration” at the same time.",
    ]
    assert SessionChange.objects.count() == 0
