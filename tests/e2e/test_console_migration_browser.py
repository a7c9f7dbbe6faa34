"""The system owner's and the auditor's migration screens in a real browser on a closed network,
against a real `vendorwatch up` (one for the whole story): the owner changes the case's plan's
settings (a value the API refuses is shown at its field, nothing recorded; then accepted) and
sees the Gantt chart take the new schedule live; changes an item's dependencies; opens a plan
by hand (refusals shown as the API and the migration service give them); downloads the
plan's CSV and the exclusions export, fetched with the token, holding the plan's items and the
barred vendors; an auditor, who may read plans but not act on them, opens the same plan with
every control disabled, told why, in English and Japanese.

Each page is checked by axe-core and saved as a screenshot under test-artifacts/console/, as in
the other console browser tests, whose helpers and case these share."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import case_migration, principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    attribute,
    console_chromium,
    fill,
    focused,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    slow_answers,
    until,
)
from tests.support.console_migration_case import (
    AGENCY,
    HIGH_RISK,
    ROWS,
    high_risk_vendor,
    item,
    open_plan,
    settings_of,
    the_case_planned,
)
from tests.support.migration_checks import SUSPENDED_OTHER, plan_of
from tests.support.processes import System

pytestmark = pytest.mark.postgres

# Whether a form says it waits for an answer, how many errors it shows, and how many late
# answers came (SLOW_ANSWERS), read in one script.
WAITING = """
const form = document.getElementById(arguments[0]);
return {waiting: !!form.querySelector('.waiting'),
        errors: form.querySelectorAll('.error, .refusal').length,
        answered: window.lateAnswers};"""


def phases_drawn(chrome: WebDriver) -> dict[str, str]:
    """Each Gantt row's cut-over phase, read in one script (rows re-render as the plan moves)."""
    drawn: dict[str, str] = chrome.execute_script(
        "return Object.fromEntries([...document.querySelectorAll(arguments[0])]"
        ".map((row) => [row.dataset.contract, row.dataset.phase]));",
        ROWS,
    )
    return drawn


def phases_planned(system: System, plan_id: str) -> dict[str, str]:
    return {i["contractId"]: i["phaseLabel"] for i in plan_of(system.client, plan_id)["items"]}


def downloaded(chrome: WebDriver, folder: Path, pattern: str) -> list[dict[str, str]]:
    """The rows of the one CSV file named like `pattern` Chromium finished saving in `folder`."""

    def saved(_: WebDriver) -> list[Path]:
        if list(folder.glob("*.crdownload")):
            return []
        return [f for f in folder.glob(pattern) if f.stat().st_size]

    until(chrome, lambda c: len(saved(c)) == 1, f"{pattern} saved")
    (found,) = saved(chrome)
    return list(csv.DictReader(io.StringIO(found.read_text(encoding="utf-8-sig"))))


def test_a_system_owner_sets_up_its_plan_and_an_auditor_reads_it(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    high_risk_vendor(embedded, tmp_path)
    before = plan_of(embedded.client, plan_id)
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with console_chromium() as chrome:
        chrome.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        slow_answers(chrome)
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        open_plan(chrome, plan_id)
        drawn = phases_drawn(chrome)
        assert drawn == phases_planned(embedded, plan_id)
        # The axis names the plan's first month too, where its first phase's column starts
        # (that column had no label).
        axis = chrome.execute_script(
            "return [...document.querySelectorAll('.gantt .tick text')].map((t) => t.textContent);"
        )
        assert axis[0] == before["settings"]["startsOn"][:7], axis
        version = attribute(chrome, ".gantt", "data-version")

        # The plan's settings, as the plan has them now.
        chrome.find_element(By.CSS_SELECTOR, "details.plan-settings summary").click()
        capacity = chrome.find_element(By.ID, "plan-settings-settings-capacity")
        assert capacity.get_attribute("value") == str(before["settings"]["capacity"]) == "2"
        blackouts = chrome.find_element(By.ID, "plan-settings-settings-blackouts")
        assert (blackouts.get_attribute("value") or "").endswith(" tax")
        # A phase of 13 months: refused by the API, shown at its field in the code's words.
        months = "plan-settings-settings-phaseMonths"
        fill(chrome, months, "13")
        chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()
        error = shown(chrome, f"#{months}-error")
        assert error.startswith("Too large — ") and "12" in error
        assert attribute(chrome, f"#{months}", "aria-invalid") == "true"
        assert f"{months}-error" in (attribute(chrome, f"#{months}", "aria-describedby") or "")
        until(chrome, lambda c: focused(c) == months, "focus on the field in error")
        assert plan_of(embedded.client, plan_id)["settings"] == before["settings"]
        screenshot(chrome, "migration-plan-settings-refused")

        # Corrected, with room for three cut-overs a phase and a deadline a year after the last
        # contract's end: recorded, and the chart re-drawn from the new schedule as it arrives
        # (c03 no longer waits behind c01 and c02; the deadline drawn).
        last_end = max(dt.date.fromisoformat(i["endsOn"]) for i in before["items"])
        deadline = (last_end + dt.timedelta(days=365)).isoformat()
        fill(chrome, months, str(before["settings"]["phaseMonths"]))
        fill(chrome, "plan-settings-settings-capacity", "3")
        fill(chrome, "plan-settings-settings-deadlineOn", deadline)
        chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#plan-settings .accepted")
        assert chrome.find_elements(By.CSS_SELECTOR, f"#{months}-error") == []
        until(
            chrome,
            lambda c: (
                attribute(c, ".gantt", "data-version") != version
                and phases_drawn(c) == phases_planned(embedded, plan_id)
            ),
            "the new schedule on the chart",
        )
        after = plan_of(embedded.client, plan_id)
        assert after["settings"]["capacity"] == 3
        assert after["settings"]["deadlineOn"] == deadline
        assert after["settings"]["blackouts"] == before["settings"]["blackouts"]  # unchanged
        assert phases_drawn(chrome) != drawn
        drawn_deadline = chrome.execute_script(
            "return document.querySelector('.gantt line.deadline title')?.textContent ?? '';"
        )
        assert deadline in drawn_deadline
        screenshot(chrome, "migration-plan-settings")

        # Another setting changed later keeps the deadline: only the penalty is sent, and the
        # log keeps the event as sent (a day left out is not read back as a null).
        fill(chrome, "plan-settings-settings-earlyPenalty", "3")
        chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()
        until(chrome, lambda _: settings_of(embedded, plan_id)["earlyPenalty"] == 3, "penalty 3")
        assert settings_of(embedded, plan_id)["deadlineOn"] == deadline

        # An item's settings, on the item: c09 now moves after c08 too.
        chrome.find_element(By.CSS_SELECTOR, "details[data-contract='c09'] summary").click()
        fill(chrome, "item-settings-c09-item-dependsOn", "c08")
        chrome.find_element(By.CSS_SELECTOR, "#item-settings-c09 button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#item-settings-c09 .accepted")
        assert item(embedded, plan_id, "c09")["dependsOn"] == ["c08"]

        # The plan's CSV, downloaded with the token: the plan's items, one row each.
        chrome.find_element(By.CSS_SELECTOR, "button[data-download=csv]").click()
        rows = downloaded(chrome, downloads, f"{plan_id}-v*.csv")
        assert sorted(row["contract_id"] for row in rows) == [f"c{n:02}" for n in range(1, 11)]

        # The exclusions export, from the screening screen: the two suspended vendors.
        chrome.find_element(By.LINK_TEXT, "Screening").click()
        shown(chrome, "button[data-download=exclusions]")  # the page renders after the click
        chrome.find_element(By.CSS_SELECTOR, "button[data-download=exclusions]").click()
        excluded = downloaded(chrome, downloads, "exclusions-*.csv")
        barred = {(row["Vendor ID"], row["Sanction ID"]) for row in excluded}
        assert barred == {(case_migration.VENDOR, "city-001"), (SUSPENDED_OTHER, "city-002")}
        screenshot(chrome, "screening-exclusions")

        # A plan opened by hand: an id the API refuses is shown at its field; so is a vendor
        # that already has a plan here (the receipt says what migration would refuse); then
        # opened.
        chrome.find_element(By.LINK_TEXT, "Migration plans").click()
        shown(chrome, "details.open-plan summary")
        chrome.find_element(By.CSS_SELECTOR, "details.open-plan summary").click()
        assert attribute(chrome, "#open-plan-agency", "data-field") == "agency"
        fill(chrome, "open-plan-vendorId", case_migration.VENDOR)
        fill(chrome, "open-plan-planId", "plan by hand")
        fill(chrome, "open-plan-reason", "Critical risk score.")
        chrome.find_element(By.CSS_SELECTOR, "#open-plan button[type=submit]").click()
        assert shown(chrome, "#open-plan-planId-error").startswith("Not in the expected form — ")
        # Focus on the first field in error: the agency, which already has a plan for the vendor.
        until(chrome, lambda c: focused(c) == "open-plan-agency", "focus on the first error")
        # The id corrected and sent again, its answer late (as on a slow network or a busy
        # machine). While it is awaited the form says so, and the first answer's errors are
        # gone (they read as the second's, beside a disabled button). The first answer named
        # the vendor's plan too (the API says every problem at once), so only the waiting
        # notice gone is a sign of the second answer: acting sooner typed into a form still
        # waiting (whose answer, rendered, set the vendor's field back to the text it held)
        # and clicked its disabled button.
        fill(chrome, "open-plan-planId", "plan-b-by-hand")
        chrome.execute_script("window.slow = arguments[0];", "plan-b-by-hand")
        chrome.find_element(By.CSS_SELECTOR, "#open-plan button[type=submit]").click()
        waiting = chrome.execute_script(WAITING, "open-plan")
        assert waiting == {"waiting": True, "errors": 0, "answered": 0}, waiting
        until(chrome, lambda c: not c.execute_script(WAITING, "open-plan")["waiting"], "the answer")
        assert chrome.execute_script("return window.lateAnswers;") == 1
        assert f"already has plan {plan_id}" in shown(chrome, "#open-plan-agency-error")
        assert chrome.find_elements(By.ID, "open-plan-planId-error") == []
        fill(chrome, "open-plan-vendorId", HIGH_RISK)
        fill(chrome, "open-plan-planId", "plan-h")
        chrome.find_element(By.CSS_SELECTOR, "#open-plan button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#open-plan .accepted")
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "tr[data-plan='plan-h']"), "")
        screenshot(chrome, "migration-plan-opened")
        chrome.find_element(By.LINK_TEXT, "See plan plan-h").click()
        shown(chrome, ".gantt g.row[data-contract='h01']")
        assert_only_the_api_was_reached(chrome, embedded)

        # An auditor reads the same plan: every control there disabled, and why.
        chrome.find_element(By.CSS_SELECTOR, ".who button").click()
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        assert "Migration plans" in shown(chrome, "nav ul").splitlines()
        open_plan(chrome, plan_id)
        assert chrome.find_elements(By.CSS_SELECTOR, "details.open-plan") == []
        chrome.find_element(By.CSS_SELECTOR, "details[data-contract='c01'] summary").click()
        controls = chrome.find_elements(
            By.CSS_SELECTOR, "details.item input, details.item select, details.item button"
        )
        assert controls and [c for c in controls if c.is_enabled()] == []
        checks = chrome.find_elements(By.CSS_SELECTOR, "input[data-check]")
        assert len(checks) == 50 and not any(c.is_enabled() for c in checks)
        why = shown(chrome, "details[data-contract='c01'] .read-only")
        assert "auditor" in why
        settings = chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]")
        assert not settings.is_enabled()
        screenshot(chrome, "migration-plan-auditor")

        in_japanese(chrome)
        until(chrome, lambda c: "計画の設定を変更" in c.find_element(By.ID, "main").text, "ja")
        assert "監査担当者" in shown(chrome, "details[data-contract='c01'] .read-only")
        assert shown(chrome, "button[data-download=csv]") == "計画をダウンロード（CSV）"
        screenshot(chrome, "migration-plan-auditor-ja")
        assert_only_the_api_was_reached(chrome, embedded)
