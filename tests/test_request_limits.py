"""What a request may be: its size (413 whatever the content type) and its method (405).

Public forms take no file; a body over REQUEST_BODY_MAX_BYTES (256 KB) is
refused before anything parses it, multipart file parts included, and nothing
is created.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registration.models import Registration
from tests.registration_support import form_data

pytestmark = pytest.mark.django_db

REGISTER = "/en/events/zccf-2022/register/"


def heading(response):
    html = response.content.decode()
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


@pytest.mark.parametrize("size", [1024 * 1024, 10 * 1024 * 1024])
def test_a_multipart_file_part_over_the_limit_is_a_413_and_creates_nothing(client, forum,
                                                                           size):
    data = form_data(forum, email="big@example.org")
    data["attachment"] = SimpleUploadedFile("big.bin", b"x" * size)
    response = client.post(REGISTER, data)  # multipart/form-data
    assert response.status_code == 413
    assert heading(response) == "Too much data"
    assert response["Cache-Control"] == "no-store"
    assert Registration.objects.count() == 0


def test_any_content_type_over_the_limit_is_a_413(client, forum):
    body = b"{" + b" " * (300 * 1024) + b"}"
    for content_type in ("application/json", "text/plain", "application/octet-stream"):
        response = client.post(REGISTER, body, content_type=content_type)
        assert (response.status_code, heading(response)) == (413, "Too much data")


def test_the_413_page_is_in_the_language_of_the_page(client, forum):
    data = form_data(forum)
    data["attachment"] = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024))
    response = client.post("/vi/events/zccf-2022/register/", data)
    assert (response.status_code, heading(response)) == (413, "Dữ liệu quá lớn")
    assert '<html lang="vi">' in response.content.decode()


def test_a_form_under_the_limit_still_registers(client, forum):
    data = form_data(forum, email="small@example.org")
    data["attachment"] = SimpleUploadedFile("small.txt", b"x" * 1000)
    response = client.post(REGISTER, data)
    assert response.status_code == 302
    assert list(Registration.objects.values_list("email", flat=True)) == ["small@example.org"]


def test_the_admin_takes_larger_bodies_for_programme_files(admin_client, settings):
    settings.ADMIN_REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024
    upload = SimpleUploadedFile("programme.csv", b"x" * (1024 * 1024))
    response = admin_client.post("/admin/agenda/event/", {"file": upload})
    assert response.status_code == 200  # the changelist again: nothing to do with a file
    settings.ADMIN_REQUEST_BODY_MAX_BYTES = 512 * 1024
    upload = SimpleUploadedFile("programme.csv", b"x" * (1024 * 1024))
    assert admin_client.post("/admin/agenda/event/", {"file": upload}).status_code == 413


# Methods -------------------------------------------------------------------------

READ_ONLY = "GET, HEAD"
FORM = "GET, HEAD, POST"


@pytest.fixture
def urls(forum, django_capture_on_commit_callbacks):
    """Every kind of URL the site has, and the methods each takes."""
    from registration import tokens
    from tests.registration_support import sign_up

    registration = sign_up(django_capture_on_commit_callbacks, forum)
    token = registration.token
    pending = sign_up(django_capture_on_commit_callbacks, forum, email="an@example.vn",
                      confirm=False)
    return {
        "/en/": READ_ONLY,
        "/en/events/zccf-2022/": READ_ONLY,
        "/en/events/zccf-2022/agenda/": READ_ONLY,
        "/en/events/zccf-2022/sessions/framing-session/": READ_ONLY,
        "/en/events/zccf-2022/speakers/": READ_ONLY,
        "/en/events/zccf-2022/changes/": READ_ONLY,
        "/en/events/zccf-2022/privacy/": READ_ONLY,
        "/en/events/zccf-2022/register/": FORM,
        "/en/events/zccf-2022/register/sent/": READ_ONLY,
        "/en/registration/link/": FORM,
        "/en/registration/link/sent/": READ_ONLY,
        "/en/registration/erased/": READ_ONLY,
        f"/en/registration/confirm/{tokens.sign_confirmation(pending.public_id)}/": FORM,
        f"/en/registration/{token}/": READ_ONLY,
        f"/en/registration/{token}/cancel/": FORM,
        f"/en/registration/{token}/erase/": FORM,
        f"/en/registration/{token}/choices/": "POST",
        f"/en/registration/{token}/preferences/": "POST",
        f"/registration/{token}/calendar.ics": READ_ONLY,
        "/events/zccf-2022/calendar.ics": READ_ONLY,
        "/events/zccf-2022/days/1.ics": READ_ONLY,
        "/events/zccf-2022/schedule.json": READ_ONLY,
        "/robots.txt": READ_ONLY,
        "/sitemap.xml": READ_ONLY,
        "/healthz": READ_ONLY,
        "/admin/login/": FORM,
    }


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS"])
def test_other_methods_get_405_with_allow_everywhere(client, urls, method):
    answers = {path: client.generic(method, path) for path in urls}
    assert {path: (r.status_code, r["Allow"]) for path, r in answers.items()} == {
        path: (405, allow) for path, allow in urls.items()
    }
    page = answers["/en/events/zccf-2022/agenda/"]
    assert heading(page) == "Method not allowed"
    assert page["Cache-Control"] == "no-store"


def test_head_works_wherever_get_does(client, urls):
    for path, allow in urls.items():
        if "HEAD" not in allow:
            assert (client.head(path).status_code, client.head(path)["Allow"]) == (405, allow)
            continue
        get, head = client.get(path), client.head(path)
        assert (path, head.status_code, head.content) == (path, get.status_code, b"")
        assert head.status_code == 200, path
        assert head["Content-Type"] == get["Content-Type"]


def test_the_admin_refuses_other_methods_after_sign_in(admin_client):
    response = admin_client.put("/admin/agenda/event/")
    assert (response.status_code, response["Allow"]) == (405, FORM)
    assert admin_client.head("/admin/agenda/event/").status_code == 200


def test_the_405_page_is_in_the_language_of_the_page(client, forum):
    response = client.put("/ja/events/zccf-2022/agenda/")
    assert (response.status_code, response["Allow"]) == (405, READ_ONLY)
    assert heading(response) == "このリクエストは受け付けられません"
    assert '<html lang="ja">' in response.content.decode()


def test_a_view_that_takes_only_post_says_so(admin_client):
    # Django's admin logout takes POST (and OPTIONS, which the site refuses).
    response = admin_client.get("/admin/logout/")
    assert (response.status_code, response["Allow"]) == (405, "POST")
    assert heading(response) == "Method not allowed"
