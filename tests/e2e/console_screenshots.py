"""README's screenshots of the console, one per user, made by `scripts/console-screenshots`
against a real `vendorwatch up` holding the browser tests' case data, in a window of 1280×800.

Not a test of the suite: its name does not start with `test_`, so pytest runs it only when it
is named (as the script does). It needs a Japanese font (Debian's `fonts-noto-cjk`, which the
script installs), or the Japanese shows as boxes; the tests never need one."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import case_b, principals
from tests.support.browser import closed_network_chromium
from tests.support.console_browser import (
    fill,
    in_japanese,
    origin,
    shown,
    sign_in_with,
    until,
    viewport,
)
from tests.support.console_migration_case import (
    the_case_planned,
)
from tests.support.console_registry_case import B_NUMBER, C_NUMBER, recorded
from tests.support.console_risk_case import risky
from tests.support.processes import System

pytestmark = pytest.mark.postgres

# Where README finds them (CONSOLE_SCREENSHOTS puts them elsewhere, to compare).
README_FOLDER = Path(__file__).parents[2] / "services" / "console" / "screenshots"
FOLDER = Path(os.environ.get("CONSOLE_SCREENSHOTS", README_FOLDER))
WIDTH, HEIGHT = 1280, 800


def save(chrome: webdriver.Chrome, name: str) -> None:
    """What the window shows, 1280×800, once the page is still (no caret blinking in it)."""
    chrome.execute_script("document.activeElement?.blur()")
    shot = chrome.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def signed_in(
    chrome: webdriver.Chrome, system: System, role: Role, agencies: tuple[str, ...] = ()
) -> None:
    viewport(chrome, WIDTH, HEIGHT)
    chrome.get(f"{origin(system)}/")
    sign_in_with(chrome, principals.token(role, agencies))
    shown(chrome, "nav ul")


def to_top(chrome: webdriver.Chrome, css: str) -> None:
    chrome.execute_script("document.querySelector(arguments[0]).scrollIntoView()", css)


def test_officer_auditor_and_sanction_authority(embedded: System, tmp_path: Path) -> None:
    recorded(embedded, tmp_path)
    with closed_network_chromium() as chrome:
        # A procurement officer screens a pasted bidder list on a day of B's suspension.
        signed_in(chrome, embedded, Role.PROCUREMENT_OFFICER)
        chrome.find_element(By.ID, "condition-asOf").send_keys("2023-01-10")
        bidders = [B_NUMBER, "びーしすてむ", "8000012050002", C_NUMBER, "Unknown Trading Co."]
        chrome.find_element(By.ID, "list-text").send_keys("\n".join(bidders))
        chrome.find_element(By.CSS_SELECTOR, "#list-text ~ button[type=submit]").click()
        until(chrome, lambda c: len(c.find_elements(By.CSS_SELECTOR, "tr[data-ref]")) == 5, "5")
        to_top(chrome, "#list-title ~ .results")
        save(chrome, "procurement-officer-screening")

        # An auditor reads vendor B's page in Japanese: the calendar bar and the timeline.
        chrome.execute_script("sessionStorage.clear()")
        signed_in(chrome, embedded, Role.AUDITOR)
        in_japanese(chrome)
        chrome.get(f"{origin(embedded)}/#/vendor/{case_b.VENDOR}")
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "ol.timeline li"), "timeline")
        shown(chrome, ".track .barred")
        to_top(chrome, "#sanctions-title")
        save(chrome, "auditor-vendor-b-ja")

        # A sanction authority takes the policy's proposal into the imposition form, with a
        # first day before the decision: the receipt's field error, at its field.
        chrome.execute_script("sessionStorage.clear(); localStorage.clear()")
        signed_in(chrome, embedded, Role.SANCTION_AUTHORITY)
        chrome.find_element(By.LINK_TEXT, "Sanctions").click()
        # The one authority with a policy comes chosen; its grounds are ticked.
        shown(chrome, "#propose-grounds")
        for code in ("breach_of_contract", "dishonest_conduct"):
            chrome.find_element(By.CSS_SELECTOR, f"#propose-grounds input[value={code}]").click()
        chrome.find_element(By.ID, "propose-decidedOn").send_keys("令和4年7月8日")
        chrome.find_element(By.ID, "propose-serious").click()
        chrome.find_element(By.CSS_SELECTOR, "#propose button[type=submit]").click()
        shown(chrome, ".proposal button")
        chrome.find_element(By.CSS_SELECTOR, ".proposal button").click()
        chrome.find_element(By.ID, "impose-vendorId").send_keys("vendor-c")
        chrome.find_element(By.ID, "impose-payload-sanctionId").send_keys("city-2022-007")
        fill(chrome, "impose-payload-startsOn", "2022-07-01")
        chrome.find_element(By.CSS_SELECTOR, "#impose button[type=submit]").click()
        shown(chrome, "#impose-payload-startsOn-error")
        to_top(chrome, ".proposal")
        save(chrome, "sanction-authority-field-error")


def test_risk_analyst(embedded: System, tmp_path: Path) -> None:
    risky(embedded, tmp_path)
    with closed_network_chromium() as chrome:
        signed_in(chrome, embedded, Role.RISK_ANALYST)
        chrome.find_element(By.LINK_TEXT, "Risk board").click()
        shown(chrome, "table.risk-board tr[data-vendor]")
        until(chrome, lambda c: "on" in c.find_element(By.CSS_SELECTOR, ".live").text, "live")
        save(chrome, "risk-analyst-board")


def test_system_owner(embedded: System, tmp_path: Path) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    with closed_network_chromium() as chrome:
        signed_in(chrome, embedded, Role.SYSTEM_OWNER, agencies=("市民課",))
        chrome.get(f"{origin(embedded)}/#/migration-plan/{plan_id}")
        until(chrome, lambda c: len(c.find_elements(By.CSS_SELECTOR, ".gantt g.row")) == 10, "")
        to_top(chrome, ".gantt")
        save(chrome, "system-owner-gantt")
