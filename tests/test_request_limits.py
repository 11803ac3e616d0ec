"""What a request may be: its size (413 whatever the content type) and its method (405).

Public forms take no file; a body over REQUEST_BODY_MAX_BYTES (256 KB) is
refused before anything parses it, multipart file parts included, and nothing
is created.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registration.models import Registration
from tests.test_registration_support import form_data

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
