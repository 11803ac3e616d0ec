"""Valid HTML: the Nu HTML Checker (vnu.jar) on every public page, in every language.

The pages are fetched as the server sends them (no script has run), written to
test-artifacts/html/, and checked in one run of the checker to keep it fast.
"""

import shutil

import pytest

from tests.browser.conftest import ARTIFACTS, LANGUAGES
from tests.browser.site_pages import public_pages, registrations

pytestmark = pytest.mark.django_db(transaction=True)  # emails leave on commit

HTML_DIR = ARTIFACTS / "html"


def test_every_public_page_is_valid_html(client, vnu, forum, dien_bien):
    confirm_value, token = registrations(forum)
    shutil.rmtree(HTML_DIR, ignore_errors=True)
    HTML_DIR.mkdir(parents=True)
    files = {}
    for lang in LANGUAGES:
        pages = public_pages(lang, forum, dien_bien, confirm_value, token, every_session=True)
        for name, path in pages:
            response = client.get(path)
            assert response.status_code in (200, 404), path
            assert response["Content-Type"].startswith("text/html"), path
            files[HTML_DIR / f"{lang}-{name}.html"] = (path, response.content)
            if name.endswith("-register") or name == "request-link":
                with_errors = client.post(path, {})
                if with_errors.status_code == 400:
                    files[HTML_DIR / f"{lang}-{name}-errors.html"] = (
                        f"{path} (POST, with errors)", with_errors.content)
    for file, (_path, content) in files.items():
        file.write_bytes(content)

    messages = vnu(sorted(files))
    problems = [
        f"{files[HTML_DIR / message['url'].rsplit('/', 1)[1]][0]}:"
        f"{message.get('lastLine', '?')}: {message['message']}  «{message.get('extract', '')}»"
        for message in messages
        if message["type"] in ("error", "non-document-error")
    ]
    assert len(files) >= 90
    assert not problems, "The Nu HTML Checker found errors:\n" + "\n".join(problems)
