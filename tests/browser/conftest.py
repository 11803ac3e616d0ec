"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

One Chromium runs for the whole session; each test gets a fresh context (its
own cookies, storage, viewport, locale and time zone). The site is served by
``live_server`` in a thread of this process, so the tests can read the
database and ``mail.outbox`` directly. Tests skip with a reason when
Chromium, the npm tools (``npm ci``) or Java are missing.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM
# refuses to run beside a running loop unless told that it is safe, which it
# is here: the loop only drives the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import translation  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LANGUAGES = ["en", "ja", "vi"]
FORUM = "zccf-2022"
DIEN_BIEN = "dien-bien-2024"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def _no_https_redirect():
    # SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the live server
    # thread builds its handler: it must be off before the server starts.
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="session")
def live_server(_no_https_redirect, live_server):
    return live_server


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings):
    # The live server speaks plain HTTP: secure-only cookies would never come
    # back, and the CSRF check of every form would fail.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0


@pytest.fixture(autouse=True)
def _keep_the_language():
    # Django's test client leaves the last request's language active in this
    # thread: put back the one the next test expects.
    before = translation.get_language()
    yield
    if before is None:
        translation.deactivate()
    else:
        translation.activate(before)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    manager = sync_playwright().start()
    chromium = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture
def site(live_server, seed_events, settings):
    """The live server with both seed events; emails link back to it."""
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def new_context(browser, site):
    """Make browser contexts pointed at the live server; all are closed after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "America/New_York")
        context = browser.new_context(base_url=site.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def axe():
    """Runs axe-core in a page and returns its violations (an empty list when clean)."""
    if not AXE_JS.exists():
        pytest.skip("node_modules/axe-core is missing (npm ci)")

    def run(page):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        return page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)
                }));
            }"""
        )

    return run


def format_violations(url, violations):
    lines = [f"{url}:"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.extend(f"      {node}" for node in violation["nodes"][:5])
    return "\n".join(lines)


@pytest.fixture(scope="session")
def vnu():
    """Runs the Nu HTML Checker once over a batch of files; returns its messages."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is missing (the Nu HTML Checker needs a JRE)")
    if not VNU_JAR.exists():
        pytest.skip("node_modules/vnu-jar is missing (npm ci)")

    def check(paths):
        import json

        completed = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, paths)],
            capture_output=True, text=True, timeout=120, check=False,
        )
        return json.loads(completed.stdout or "{}").get("messages", [])

    return check


def screenshot(page, name):
    """Save a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def link_in(message, pattern=r"https?://\S+/registration/confirm/\S+/"):
    """The first link matching ``pattern`` in an email's text body."""
    match = re.search(pattern, message.body)
    assert match, f"no link matching {pattern!r} in:\n{message.body}"
    return match.group(0)
