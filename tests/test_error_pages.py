"""Error pages: the site's layout, the visitor's language, the right status."""

import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def heading(response):
    return re.search(r"<h1>([^<]+)</h1>", response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("lang", "title", "back", "code"),
    [
        ("en", "Page not found", "Go to the list of events", "Error code: 404"),
        ("ja", "ページが見つかりません", "イベント一覧へ", "エラーコード：404"),
        ("vi", "Không tìm thấy trang", "Đi đến danh sách sự kiện", "Mã lỗi: 404"),
    ],
)
def test_404_is_in_the_layout_and_language_of_the_visitor(client, lang, title, back, code):
    response = client.get(f"/{lang}/events/nowhere/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert 'class="site-header"' in html
    assert response["Cache-Control"] == "no-store"
    assert heading(response) == title
    assert f"<title>{title} (404)" in html
    assert f'<p><a href="/{lang}/">{back}</a></p>' in html
    assert f'<p class="error-code">{code}</p>' in html


def test_a_form_posted_without_csrf_token_gets_a_403_page_that_says_what_to_do(seed_events):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/events/zccf-2022/register/", {"full_name": "A"})
    assert response.status_code == 403
    assert heading(response) == "Not allowed"
    assert "The form had expired or your browser blocked its cookie." in response.content.decode()


def test_a_body_over_the_limit_is_refused_with_413(client, seed_events, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        "/en/events/zccf-2022/register/", {"full_name": "x" * 5000}
    )
    assert response.status_code == 413
    assert heading(response) == "Too much data"


def test_a_lost_database_connection_gives_a_503_page(client):
    with mock.patch("agenda.programme.events_upcoming_first",
                    side_effect=OperationalError("server closed the connection unexpectedly")):
        response = client.get("/ja/")
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert '<html lang="ja">' in response.content.decode()


def test_a_lost_cache_connection_gives_a_503_page(client):
    from redis.exceptions import ConnectionError as RedisConnectionError

    with mock.patch("agenda.programme.events_upcoming_first",
                    side_effect=RedisConnectionError("Connection refused")):
        response = client.get("/en/")
    assert response.status_code == 503
    assert heading(response) == "Temporarily unavailable"


def test_a_programming_error_is_a_500_page_not_a_503(client):
    client.raise_request_exception = False
    with mock.patch("agenda.programme.events_upcoming_first", side_effect=ValueError("bug")):
        response = client.get("/en/")
    assert response.status_code == 500
    assert heading(response) == "Something went wrong"
