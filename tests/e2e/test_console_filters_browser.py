"""Back, reloads and bookmarks keep what a list is narrowed to, in a real Chromium against a
real `vendorwatch up`: the risk board's agency and band and the migration plans' status are in
the address (`#/risk?agency=…&band=…`, `#/migration?status=…`), so Back from a vendor or a
plan finds the list as it was narrowed, Back again the filters before, and a bookmark opens
with them; the exclusions export's format and day, a form of the screening screen, are kept
for the tab as the screening's conditions are. All three went back to their defaults on Back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    fill,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_migration_case import AGENCY, HIGH_RISK, high_risk_vendor
from tests.support.console_risk_case import LEAKING, board, leaking_vendor_scored
from tests.support.processes import System

pytestmark = pytest.mark.postgres

NO_VENDOR = "No vendor is scored with these filters."
# An agency none of whose contracts D holds, and a band D is not in: nothing on the board.
ELSEWHERE = "税務課"
OPEN_BY_HAND = """mutation ($vendorId: ID!, $agency: String!) {
  createMigrationPlan(vendorId: $vendorId, agency: $agency, reason: "Critical risk score.",
    planId: "plan-h", waitForProcessing: true) { accepted } }"""


def value(chrome: WebDriver, field_id: str) -> str | None:
    found: str | None = chrome.execute_script(
        "return document.getElementById(arguments[0])?.value ?? null;", field_id
    )
    return found


def filtered(chrome: WebDriver, agency: str, band: str) -> None:
    fill(chrome, "risk-agency", agency)
    Select(chrome.find_element(By.ID, "risk-band")).select_by_value(band)
    chrome.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()


def filters_shown(chrome: WebDriver) -> tuple[str | None, str | None]:
    return value(chrome, "risk-agency"), value(chrome, "risk-band")


def vendors_on_board(chrome: WebDriver) -> list[str] | None:
    """The board's vendors once read (None while it loads; [] when none is scored)."""
    if NO_VENDOR in shown(chrome, "main"):
        return []
    rows = board(chrome)
    return [vendor for vendor, _, _, _ in rows] if rows else None


def test_the_risk_boards_filters_are_its_address(embedded: System, tmp_path: Path) -> None:
    leaking_vendor_scored(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/risk")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        until(chrome, lambda c: vendors_on_board(c) == [LEAKING], "D on the board")

        # Filters applied move the address; each its own entry for Back.
        d_band = board(chrome)[0][1]
        filtered(chrome, "", d_band)
        until(chrome, lambda c: c.current_url.endswith(f"#/risk?band={d_band}"), "the band's")
        until(chrome, lambda c: vendors_on_board(c) == [LEAKING], "D in its band")
        filtered(chrome, ELSEWHERE, "LOW")
        until(chrome, lambda c: vendors_on_board(c) == [], "nothing low at 税務課")
        assert chrome.current_url.endswith(f"#/risk?agency={quote(ELSEWHERE)}&band=LOW")

        # Back: the filters before, as they were applied, and the board they give.
        chrome.back()
        until(chrome, lambda c: filters_shown(c) == ("", d_band), "the band's filters again")
        until(chrome, lambda c: vendors_on_board(c) == [LEAKING], "D in its band again")
        # To D's risk and Back; then a reload: the same.
        chrome.find_element(By.CSS_SELECTOR, f"tr[data-vendor='{LEAKING}'] a").click()
        shown(chrome, "tr[data-factor=incidents]")
        chrome.back()
        until(chrome, lambda c: filters_shown(c) == ("", d_band), "the filters after D's page")
        until(chrome, lambda c: vendors_on_board(c) == [LEAKING], "D's board after its page")
        chrome.refresh()
        until(chrome, lambda c: filters_shown(c) == ("", d_band), "the filters after a reload")
        until(chrome, lambda c: vendors_on_board(c) == [LEAKING], "the board after a reload")
        screenshot(chrome, "risk-board-filters-after-reload")

        # A bookmark opened in a new tab (signed out) opens with its filters once signed in.
        chrome.switch_to.new_window("tab")
        chrome.get(f"{origin(embedded)}/#/risk?agency={quote(ELSEWHERE)}&band=LOW")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        until(chrome, lambda c: filters_shown(c) == (ELSEWHERE, "LOW"), "the bookmark's filters")
        until(chrome, lambda c: vendors_on_board(c) == [], "the bookmark's board")
        # A band the API has not, typed in an address: its refusal says so and names the bands.
        chrome.get(f"{origin(embedded)}/#/risk?band=HUGE")
        until(chrome, lambda c: "Value 'HUGE' does not exist" in shown(c, "main"), "refused")
        assert "Give one of LOW, MEDIUM, HIGH, CRITICAL." in shown(chrome, "main")
        assert_only_the_api_was_reached(chrome, embedded, refused=1)


def plans_listed(chrome: WebDriver) -> list[str] | None:
    """The plans the list shows (None while it loads; [] when none is of the status)."""
    if chrome.find_elements(By.CSS_SELECTOR, "main p.empty"):
        return []
    plans: list[str] = chrome.execute_script(
        "return [...document.querySelectorAll('tr[data-plan]')].map((r) => r.dataset.plan);"
    )
    return plans or None


def status_shown(chrome: WebDriver) -> str | None:
    found: str | None = chrome.execute_script(
        "return document.querySelector('select[name=status]')?.value ?? null;"
    )
    return found


def test_the_plans_status_filter_is_the_lists_address(embedded: System, tmp_path: Path) -> None:
    high_risk_vendor(embedded, tmp_path)
    opened = embedded.client.data(OPEN_BY_HAND, vendorId=HIGH_RISK, agency=AGENCY)
    assert opened["createMigrationPlan"]["accepted"] is True
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Migration plans"), "navigation")
        chrome.find_element(By.LINK_TEXT, "Migration plans").click()
        until(chrome, lambda c: plans_listed(c) == ["plan-h"], "the plans")

        def narrowed_to(status: str) -> None:
            Select(chrome.find_element(By.CSS_SELECTOR, "select[name=status]")).select_by_value(
                status
            )
            until(chrome, lambda c: c.current_url.endswith(f"#/migration?status={status}"), status)

        narrowed_to("COMPLETED")
        until(chrome, lambda c: plans_listed(c) == [], "no completed plan")
        narrowed_to("OPEN")
        until(chrome, lambda c: plans_listed(c) == ["plan-h"], "the open plans")

        # To the plan and Back: the open plans, narrowed so; Back again, the completed ones.
        chrome.find_element(By.LINK_TEXT, "plan-h").click()
        shown(chrome, "p.plan-status")
        chrome.back()
        until(chrome, lambda c: status_shown(c) == "OPEN", "the status again")
        until(chrome, lambda c: plans_listed(c) == ["plan-h"], "the open plans again")
        chrome.back()
        until(chrome, lambda c: status_shown(c) == "COMPLETED", "the status before")
        until(chrome, lambda c: plans_listed(c) == [], "no completed plan again")
        chrome.refresh()
        until(chrome, lambda c: status_shown(c) == "COMPLETED", "the status after a reload")
        until(chrome, lambda c: plans_listed(c) == [], "no completed plan after a reload")
        screenshot(chrome, "migration-plans-completed")

        # A bookmark opened in a new tab (signed out) opens narrowed once signed in.
        chrome.switch_to.new_window("tab")
        chrome.get(f"{origin(embedded)}/#/migration?status=OPEN")
        sign_in_with(chrome, owner)
        until(chrome, lambda c: status_shown(c) == "OPEN", "the bookmark's status")
        until(chrome, lambda c: plans_listed(c) == ["plan-h"], "the bookmark's plans")
        assert_only_the_api_was_reached(chrome, embedded)


def _export_form(chrome: WebDriver) -> tuple[str | None, str | None]:
    """The export's format and day as the screen shows them (each restored on its own)."""
    return value(chrome, "exclusions-format"), value(chrome, "exclusions-asOf")


def test_the_exclusions_exports_format_and_day_are_kept_for_the_tab(embedded: System) -> None:
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, "#exclusions-asOf")
        Select(chrome.find_element(By.ID, "exclusions-format")).select_by_value("json")
        fill(chrome, "exclusions-asOf", "2023-01-10")

        # Away (the vendor search) and Back, then a reload: as they were left.
        chrome.find_element(By.LINK_TEXT, "Vendors").click()
        shown(chrome, "#vendor-search")
        chrome.back()
        until(chrome, lambda c: _export_form(c) == ("json", "2023-01-10"), "the day again")
        chrome.refresh()
        until(chrome, lambda c: _export_form(c) == ("json", "2023-01-10"), "after a reload")

        # Forgotten at sign-out, as the screening is: the next user starts from today's CSV.
        chrome.find_element(By.CSS_SELECTOR, ".who button").click()
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        # Signed in once the navigation is drawn (clicked at once, it was not there yet).
        until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Screening"), "the navigation")
        chrome.find_element(By.LINK_TEXT, "Screening").click()
        shown(chrome, "#exclusions-asOf")
        until(chrome, lambda c: _export_form(c) == ("csv", ""), "today's CSV for the next user")
        assert_only_the_api_was_reached(chrome, embedded)
