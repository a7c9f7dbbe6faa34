"""A system owner withdraws a plan from its page in a real browser on a closed network, against
a real `vendorwatch up`: the case's plan, whose vendor is still suspended, is refused in the
API's words (`still_barred`), nothing recorded; a plan opened by hand for a vendor nothing bars
is withdrawn with its reason, its page then says so and offers no more forms (its items'
are read-only, saying why), and the list,
filtered by status, shows it among the withdrawn plans only.

The page is checked by axe-core and saved as a screenshot under test-artifacts/console/, as in
the other console browser tests, whose helpers and case these share."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.browser import closed_network_chromium
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    attribute,
    fill,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_migration_case import (
    AGENCY,
    HIGH_RISK,
    high_risk_vendor,
    the_case_planned,
)
from tests.support.processes import System

pytestmark = pytest.mark.postgres

OPEN_BY_HAND = """mutation ($vendorId: ID!, $agency: String!) {
  createMigrationPlan(vendorId: $vendorId, agency: $agency, reason: "Critical risk score.",
    planId: "plan-h", waitForProcessing: true) { accepted } }"""
STATUS = "query ($id: ID!) { migrationPlan(planId: $id) { status withdrawalReason } }"


def page_of(chrome: WebDriver, plan_id: str) -> None:
    chrome.find_element(By.LINK_TEXT, "Migration plans").click()
    until(chrome, lambda c: c.find_elements(By.LINK_TEXT, plan_id), f"{plan_id} in the list")
    chrome.find_element(By.LINK_TEXT, plan_id).click()
    shown(chrome, "p.plan-status")


def listed_plans(chrome: WebDriver) -> list[str | None]:
    """The plans the list shows, read in one script (rows re-render as it reloads)."""
    shown_now: list[str | None] = chrome.execute_script(
        "return [...document.querySelectorAll('tr[data-plan]')].map((r) => r.dataset.plan);"
    )
    return shown_now


def test_a_system_owner_withdraws_a_plan_from_its_page(embedded: System, tmp_path: Path) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    high_risk_vendor(embedded, tmp_path)
    opened = embedded.client.data(OPEN_BY_HAND, vendorId=HIGH_RISK, agency=AGENCY)
    assert opened["createMigrationPlan"]["accepted"] is True
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    with closed_network_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Migration plans"), "navigation")

        # The case's plan: its vendor is still suspended here; refused in the API's words.
        page_of(chrome, plan_id)
        assert attribute(chrome, "p.plan-status", "data-status") == "OPEN"
        chrome.find_element(By.CSS_SELECTOR, "details.withdraw-plan summary").click()
        fill(chrome, "withdraw-plan-reason", "The agency keeps the contracts.")
        chrome.find_element(By.CSS_SELECTOR, "#withdraw-plan button[type=submit]").click()
        refused = shown(chrome, "#withdraw-plan [role=alert]")
        assert "still barred" in refused and "planId" in refused, refused
        assert embedded.client.data(STATUS, id=plan_id)["migrationPlan"]["status"] == "OPEN"
        screenshot(chrome, "migration-plan-withdrawal-refused")

        # The plan opened by hand for a vendor nothing bars: withdrawn, with its reason.
        page_of(chrome, "plan-h")
        chrome.find_element(By.CSS_SELECTOR, "details.withdraw-plan summary").click()
        fill(chrome, "withdraw-plan-reason", "Opened before the risk review ended.")
        chrome.find_element(By.CSS_SELECTOR, "#withdraw-plan button[type=submit]").click()
        until(
            chrome,
            lambda c: attribute(c, "p.plan-status", "data-status") == "WITHDRAWN",
            "the plan withdrawn on its page",
        )
        status = shown(chrome, "p.plan-status")
        assert "withdrawn" in status and "Opened before the risk review ended." in status
        # Nothing more to change on it: no withdrawal, no settings.
        assert chrome.find_elements(By.CSS_SELECTOR, "details.withdraw-plan") == []
        assert chrome.find_elements(By.CSS_SELECTOR, "details.plan-settings") == []
        # Its items' forms stay to read, disabled, saying why (the API would refuse them).
        locked = chrome.execute_script(
            "return [...document.querySelectorAll('details.item .item-forms .locked')]"
            ".map((l) => [l.querySelector('fieldset').disabled, l.textContent]);"
        )
        assert locked and all(
            disabled and "withdrawn: it changes no more" in text for disabled, text in locked
        ), locked
        answer = embedded.client.data(STATUS, id="plan-h")["migrationPlan"]
        assert answer == {
            "status": "WITHDRAWN",
            "withdrawalReason": "Opened before the risk review ended.",
        }
        screenshot(chrome, "migration-plan-withdrawn")

        # The list, by status: the withdrawn plan among the withdrawn only.
        chrome.find_element(By.LINK_TEXT, "Migration plans").click()
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "tr[data-plan]"), "the list")
        assert {plan_id, "plan-h"} <= set(listed_plans(chrome))
        Select(chrome.find_element(By.CSS_SELECTOR, "select[name=status]")).select_by_value(
            "WITHDRAWN"
        )
        until(chrome, lambda c: listed_plans(c) == ["plan-h"], "the withdrawn plans alone")
        assert shown(chrome, "tr[data-plan='plan-h'] td[data-status]") == "withdrawn"
        screenshot(chrome, "migration-plans-withdrawn")
        assert_only_the_api_was_reached(chrome, embedded)
