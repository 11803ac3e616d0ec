"""Each session's block on the agenda is kept per language and generation, never stale."""

import pytest
from django.core.cache import cache

from agenda.models import Session, Speaker

AGENDA = "/{lang}/events/zccf-2022/agenda/"


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.PAGE_CACHE_ENABLED = False  # every request renders the agenda; blocks may be kept


def test_an_edited_session_shows_at_once(client, forum):
    before = '<a href="/en/events/zccf-2022/sessions/opening-remarks-day-1/">Opening remarks</a>'
    assert before in client.get(AGENDA.format(lang="en")).content.decode()
    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    opening.title_en = "Welcome address"
    opening.save()

    html = client.get(AGENDA.format(lang="en")).content.decode()

    assert before not in html
    assert ('<a href="/en/events/zccf-2022/sessions/opening-remarks-day-1/">Welcome address</a>'
            in html)


def test_an_edited_speaker_shows_at_once_though_no_session_changed(client, forum):
    client.get(AGENDA.format(lang="en"))
    speaker = Speaker.objects.get(slug="yamaguchi-tsuyoshi")
    speaker.name_en = "YAMAGUCHI T."
    speaker.save()

    html = client.get(AGENDA.format(lang="en")).content.decode()

    assert ('<a href="/en/events/zccf-2022/speakers/yamaguchi-tsuyoshi/">YAMAGUCHI T.</a>'
            in html)


def test_each_language_has_its_own_blocks(client, forum):
    opening = Session.objects.get(event=forum, slug="opening-remarks-day-1")
    client.get(AGENDA.format(lang="en"))

    for lang in ("ja", "vi"):
        html = client.get(AGENDA.format(lang=lang)).content.decode()
        title = getattr(opening, f"title_{lang}")
        assert (f'<a href="/{lang}/events/zccf-2022/sessions/opening-remarks-day-1/">{title}</a>'
                in html)


def test_a_kept_block_gives_the_same_page(client, forum):
    first = client.get(AGENDA.format(lang="en")).content
    second = client.get(AGENDA.format(lang="en")).content
    cache.clear()
    fresh = client.get(AGENDA.format(lang="en")).content

    assert first == second == fresh


def test_the_agenda_is_served_when_the_cache_is_down(client, forum, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)
    response = client.get(AGENDA.format(lang="en"))

    assert response.status_code == 200
    assert response.content.decode().count('<article class="session ') == 15
