"""The console in a real browser: login, HTMX filtering, role limits, the device chart, the
report form, printer strings kept as text, and screenshots of the main pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, screenshot
from tests.web.alert_seed import HOSTILE_ALERT
from tests.web.seed import HOSTILE_LOCATION, HOSTILE_NAME, Fleet

Server = tuple[str, Fleet]


def test_it_signs_in_and_filters_the_fleet_in_place(page: Page, console_server: Server) -> None:
    base, fleet = console_server
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login?next=/")
    screenshot(page, "login")
    log_in(page, base, fleet.users["alice"])
    expect(page.locator("#devices tbody tr")).to_have_count(4)
    screenshot(page, "dashboard")
    page.fill("#q", "broken")
    expect(page.locator("#devices tbody tr")).to_have_count(1)
    expect(page.locator("#devices")).to_contain_text("Broken Printer")
    expect(page).to_have_url(f"{base}/?q=broken&customer=&site=&model=&state=")
    page.select_option("select[name=state]", "silent")
    expect(page.locator("#devices tbody tr")).to_contain_text("No device matches.")
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_it_keeps_a_viewer_to_their_customer_and_out_of_admin_pages(
    page: Page, console_server: Server
) -> None:
    base, fleet = console_server
    log_in(page, base, fleet.users["vera"])
    expect(page.locator("#devices")).not_to_contain_text("Globex Secret 9000")
    expect(page.locator("nav")).not_to_contain_text("Users")
    page.click("nav a[href='/collectors']")
    expect(page.locator("h1")).to_have_text("Collectors")
    screenshot(page, "collectors")
    answer = page.goto(f"{base}/users")
    assert answer is not None and answer.status == 403
    answer = page.goto(f"{base}/devices/{fleet.globex_device}")
    assert answer is not None and answer.status == 404


def test_it_draws_the_device_charts_and_shows_printer_strings_as_text(
    page: Page, console_server: Server
) -> None:
    base, fleet = console_server
    log_in(page, base, fleet.users["oscar"])
    page.click(f"#devices a[href='/devices/{fleet.acme_device}']")
    expect(page.locator("#charts")).to_have_attribute("data-ready", "48")
    expect(page.locator("#charts .chart canvas")).to_have_count(2)
    expect(page.locator("#hostname")).to_have_text(HOSTILE_NAME)
    expect(page.locator("#location")).to_have_text(HOSTILE_LOCATION)
    assert page.evaluate("window.pwned") is None  # no printer string ran as script
    assert page.csp_violations == []  # type: ignore[attr-defined]
    screenshot(page, "device")


def test_it_requests_the_report_chosen_with_the_filters(page: Page, console_server: Server) -> None:
    base, fleet = console_server
    log_in(page, base, fleet.users["vera"])
    page.click("nav a[href='/reports']")
    page.select_option("select[name=customer_id]", str(fleet.acme_id))
    page.fill("input[name=start]", "2026-11-01")
    page.fill("input[name=end]", "2026-11-30")
    screenshot(page, "reports")
    for kind, fmt in (("billing", "csv"), ("supplies", "xlsx"), ("not-reporting", "pdf")):
        with page.expect_request(f"**/reports/{kind}.{fmt}?*") as sent:
            page.click(f"button[data-report='{kind}.{fmt}']")
        url = urlsplit(sent.value.url)
        assert url.path == f"/reports/{kind}.{fmt}"
        query = parse_qs(url.query, keep_blank_values=True)
        assert query == {
            "customer_id": [str(fleet.acme_id)], "site_id": [""],
            "start": ["2026-11-01"], "end": ["2026-11-30"],
        }  # fmt: skip
        page.goto(f"{base}/reports")
        page.select_option("select[name=customer_id]", str(fleet.acme_id))
        page.fill("input[name=start]", "2026-11-01")
        page.fill("input[name=end]", "2026-11-30")


def test_it_shows_the_admin_pages_in_german(page: Page, console_server: Server) -> None:
    base, fleet = console_server
    log_in(page, base, fleet.users["alice"])
    page.goto(f"{base}/users")
    screenshot(page, "users")
    page.goto(f"{base}/account")
    page.select_option("select[name=language]", "de")
    page.click("form[action='/account/language'] button")
    expect(page.locator("#logout")).to_have_text("Abmelden")
    screenshot(page, "account-de")
    page.goto(f"{base}/")
    expect(page.locator("h1")).to_have_text("Flotte")
    screenshot(page, "dashboard-de")
    page.goto(f"{base}/account")  # back to English for whoever signs in as alice next
    page.select_option("select[name=language]", "en")
    page.click("form[action='/account/language'] button")
    expect(page.locator("#logout")).to_have_text("Sign out")


def test_it_acknowledges_an_alert_with_its_message_kept_as_text(
    page: Page, console_server: Server
) -> None:
    base, fleet = console_server
    log_in(page, base, fleet.users["oscar"])
    page.click("nav a[href='/alerts']")
    expect(page.locator("#alerts .alert-message")).to_have_text([HOSTILE_ALERT])
    expect(page.locator("#alerts")).not_to_contain_text("Globex")
    screenshot(page, "alerts")
    page.click("[data-acknowledge]")
    expect(page.locator("#alert-message")).to_have_text(HOSTILE_ALERT)
    expect(page.locator("#alert-history")).to_contain_text("acknowledged")
    screenshot(page, "alert")
    assert page.evaluate("window.pwned") is None
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_it_adds_a_range_whose_targets_stay_text_and_secrets_stay_hidden(
    page: Page, console_server: Server
) -> None:
    base, fleet = console_server
    hostile = "<img/src/onerror=window.pwned=6>"
    log_in(page, base, fleet.users["oscar"])
    page.goto(f"{base}/collectors")
    section = page.locator(f"#site-{fleet.acme_site_id}")
    section.locator("summary").click()
    section.locator("input[name=targets]").fill(f"10.3.0.0/24 {hostile}")
    section.locator("textarea[name=communities]").fill("s3cret-community")
    section.locator("input[name=v3_user]").fill("monitor")
    section.locator("select[name=auth_protocol]").select_option("SHA-256")
    section.locator("input[name=auth_key]").fill("s3cret-auth-key")
    section.locator("form.add-range button[type=submit]").click()
    expect(section.locator(".range-targets")).to_have_text(f"10.3.0.0/24 {hostile}")
    expect(page.locator("body")).not_to_contain_text("s3cret")
    section.locator("input[name=poll_every_s]").fill("120")
    section.locator("form.schedule button[type=submit]").click()
    expect(section.locator("input[name=poll_every_s]")).to_have_value("120")
    screenshot(page, "collectors-sites")
    assert page.evaluate("window.pwned") is None
    assert page.csp_violations == []  # type: ignore[attr-defined]
