"""The event and programme pages read are kept per process and generation, never stale."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.http import Http404

from agenda.kept_programme import event_and_programme
from agenda.models import Event, Session
from forum_site.pagecache import bump_events

AGENDA = "/en/events/zccf-2022/agenda/"
OPENING = '<a href="/en/events/zccf-2022/sessions/opening-remarks-day-1/">{}</a>'


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.PAGE_CACHE_ENABLED = False  # every request renders its page


def title(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_a_kept_programme_gives_the_same_page_without_a_query(client, forum,
                                                              django_assert_num_queries):
    first = client.get(AGENDA).content
    with django_assert_num_queries(0):
        second = client.get(AGENDA).content

    assert second == first


def test_a_saved_change_shows_at_once(client, forum):
    client.get(AGENDA)
    forum.name_en = "Zero Carbon City Forum, renamed"
    forum.save()
    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    opening.title_en = "Welcome address"
    opening.save()

    html = client.get(AGENDA).content.decode()

    assert title(html) == "Agenda – Zero Carbon City Forum, renamed"
    assert OPENING.format("Welcome address") in html


def test_a_change_another_instance_saved_shows_once_its_generation_is_renewed(client, forum):
    client.get(AGENDA)
    # Saved elsewhere: this process's signals never ran, the shared generation moved.
    Event.objects.filter(pk=forum.pk).update(name_en="Renamed elsewhere")
    bump_events({"zccf-2022"})

    assert title(client.get(AGENDA).content.decode()) == "Agenda – Renamed elsewhere"


def test_without_a_new_generation_the_kept_copy_is_what_pages_show(client, forum):
    # Why code that writes without model signals must call bump_events itself.
    client.get(AGENDA)
    Event.objects.filter(pk=forum.pk).update(name_en="Renamed quietly")

    assert title(client.get(AGENDA).content.decode()) == (
        "Agenda – Zero Carbon City International Forum")


def test_a_moved_session_moves_in_where_the_event_stands(client, forum):
    event_and_programme("zccf-2022")  # read and kept
    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    opening.start += timedelta(hours=1)
    opening.end += timedelta(hours=1)
    opening.save()

    event, loaded = event_and_programme("zccf-2022")

    moved = next(session for session in loaded.sessions if session.pk == opening.pk)
    assert (moved.start, moved.end) == (opening.start, opening.end)


def test_a_draft_kept_for_staff_stays_hidden_from_visitors(client, forum, django_user_model):
    Event.objects.filter(pk=forum.pk).update(published=False)
    bump_events({"zccf-2022"})
    staff = django_user_model.objects.create_user("organiser", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_event"))
    client.force_login(staff)
    assert client.get(AGENDA).status_code == 200  # read and kept

    client.logout()

    assert client.get(AGENDA).status_code == 404
    with pytest.raises(Http404):
        event_and_programme("zccf-2022")


def test_each_request_gets_objects_of_its_own(forum):
    first_event, first = event_and_programme("zccf-2022")
    second_event, second = event_and_programme("zccf-2022")
    first_event.name_en = "Changed by one request"
    first.sessions[0].title_en = "Changed by one request"

    assert first_event is not second_event
    assert [s.pk for s in first.sessions] == [s.pk for s in second.sessions]
    assert second_event.name_en == "Zero Carbon City International Forum"
    assert second.sessions[0].title_en != "Changed by one request"
    assert {session.event.pk for session in second.sessions} == {forum.pk}
    assert all(session.event is second_event for session in second.sessions)


def test_an_unknown_event_is_a_404_and_nothing_is_kept(db, django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(1), pytest.raises(Http404):
            event_and_programme("no-such-event")


def test_with_the_cache_down_the_database_is_read_every_time(client, forum, monkeypatch,
                                                             django_assert_num_queries):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    for _ in range(2):
        with django_assert_num_queries(3):  # the event, its days, its sessions
            event, loaded = event_and_programme("zccf-2022")
        assert (event.slug, len(loaded.days), len(loaded.sessions)) == ("zccf-2022", 2, 15)
