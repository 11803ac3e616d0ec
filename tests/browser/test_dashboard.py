"""An organiser opens an event's dashboard: charts drawn under the CSP, accessible, CSV links."""

import pytest
from django.contrib.auth import get_user_model

from registration import services, tokens
from tests.browser.conftest import AXE_JS, PHONE, format_violations, screenshot
from tests.registration_support import details
from tests.test_organisers_group import organisers_group

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple 42"


def _register(forum, email, **fields):
    registration = services.register(forum, details(forum, email=email, **fields))
    return services.confirm(tokens.sign_confirmation(registration.pk))


def _log_in(page):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("aiko")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def test_organiser_reads_the_dashboard(new_context, forum):
    user = get_user_model().objects.create_user("aiko", "aiko@example.org", PASSWORD,
                                                is_staff=True)
    user.groups.add(organisers_group())  # an earlier test's flush may have removed it
    _register(forum, "hanako@example.jp")
    _register(forum, "an@example.vn", country="VN", sector="research", channel="en")

    page = new_context().new_page()
    errors = []
    # The admin has no favicon: the browser's guess at /favicon.ico is no fault here.
    page.on("console", lambda message: message.type == "error"
            and "favicon" not in message.location.get("url", "")
            and errors.append(f"{page.url}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("response", lambda response: response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and errors.append(f"{page.url}: {response.url} answered {response.status}"))
    _log_in(page)

    # From the event list, as an organiser would.
    page.goto("/admin/agenda/event/")
    page.get_by_role("row", name="Zero Carbon City").get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"**/dashboard/{forum.pk}/")
    charts = page.get_by_role("img")
    assert charts.count() == 6
    assert page.get_by_role("img", name="Registrants by country").is_visible()
    # The SVG is drawn at a real size (presentation attributes, no blocked styles).
    box = page.locator("svg.dashboard-chart").first.bounding_box()
    assert box["width"] > 600 and box["height"] > 200

    countries = page.get_by_role("region", name="Registrants by country")
    countries.get_by_text("Table of these numbers").click()
    table = countries.get_by_role("table", name="Registrants by country")
    assert table.get_by_role("row", name="Japan").inner_text().split() == ["Japan", "1", "0", "1"]

    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Registrants by country” as CSV").click()
    assert download.value.suggested_filename == "zccf-2022-countries.csv"

    screenshot(page, "admin-dashboard-en-desktop")

    phone = new_context(viewport=PHONE).new_page()
    _log_in(phone)
    phone.goto(f"/admin/registration/registration/dashboard/{forum.pk}/")
    width = phone.locator("svg.dashboard-chart").first.bounding_box()["width"]
    assert width <= PHONE["width"]
    assert not errors, "\n".join(errors)


def test_dashboard_passes_axe(new_context, forum):
    if not AXE_JS.exists():
        pytest.skip("node_modules/axe-core is missing (npm ci)")
    user = get_user_model().objects.create_user("aiko", "aiko@example.org", PASSWORD,
                                                is_staff=True)
    user.groups.add(organisers_group())  # an earlier test's flush may have removed it
    _register(forum, "hanako@example.jp")
    # axe-core is injected as an inline script, which the CSP (rightly)
    # refuses: this context alone bypasses it.
    page = new_context(bypass_csp=True).new_page()
    _log_in(page)
    page.goto(f"/admin/registration/registration/dashboard/{forum.pk}/")
    for summary in page.locator("details summary").all():
        summary.click()
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(
        """async () => {
            const result = await axe.run({include: [["#content-main"]]},
                                         {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)
            }));
        }"""
    )
    assert not violations, format_violations(page.url, violations)
