"""What a form's answer is worth once things move on, in a real Chromium against a real
`vendorwatch up` (a console tester's findings): a submission whose answer was lost, pressed
again, records its event once, and so do submits sent at once by a script (each form
submission carries one idempotency key: three plan settings events were recorded); a refusal
leaves the screen once what it was about changed (the withdrawal's "still barred" after the
vendor may bid again, a lift's error at a day the user corrected); and a plan opened by hand
for a vendor nobody registered is refused as an unknown vendor, as every other form says it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from services.platform.security.auth import Role
from tests.support import case_b, case_migration, principals
from tests.support.console_browser import (
    console_chromium,
    fill,
    origin,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_migration_case import AGENCY, the_case_planned
from tests.support.migration_checks import SUSPENDED_OTHER, publish_events
from tests.support.processes import System

pytestmark = pytest.mark.postgres

EVENTS = """query ($vendorId: ID!) {
  events(vendorId: $vendorId, first: 500) { edges { node { eventType } } } }"""
CONFIGURED = "migration.plan_configured"
MILESTONE = "migration.item_status_changed"

# The page's requests counted by operation as their answers come (`window.answers`), and the
# answer to its first request to record a milestone lost on its way back (the request reached
# the API, which recorded it): as a dropped connection, a proxy's restart.
ANSWERS = """
const realFetch = window.fetch;
window.answers = {};
window.lostAnswers = 0;
window.fetch = async (url, init) => {
  const response = await realFetch(url, init);
  const body = String(init?.body ?? "");
  const operation = /mutation (\\w+)/.exec(body)?.[1] ?? "other";
  if (window.lostAnswers === 0 && operation === "ConsoleMilestone") {
    window.lostAnswers = 1;
    await response.text();
    throw new TypeError("Failed to fetch");
  }
  window.answers[operation] = (window.answers[operation] ?? 0) + 1;
  return response;
};"""


def recorded(system: System, event_type: str) -> int:
    """How many events of the type the log holds of the plan's vendor."""
    edges = system.client.data(EVENTS, vendorId=case_migration.VENDOR)["events"]["edges"]
    return sum(edge["node"]["eventType"] == event_type for edge in edges)


def configured(system: System) -> int:
    return recorded(system, CONFIGURED)


def test_a_submission_records_once_and_a_refusal_leaves_once_it_no_longer_holds(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    before = configured(embedded)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.ADMIN))
        shown(chrome, ".who")
        chrome.get(f"{origin(embedded)}/#/migration-plan/{plan_id}")
        shown(chrome, "details.plan-settings summary")
        chrome.find_element(By.CSS_SELECTOR, "details.plan-settings summary").click()

        # Three submits at once, by a script: one settings event (there were three).
        chrome.execute_script(ANSWERS)
        fill(chrome, "plan-settings-settings-capacity", "3")
        chrome.execute_script(
            "const form = document.getElementById('plan-settings');"
            "form.requestSubmit(); form.requestSubmit(); form.requestSubmit();"
        )
        answered = "return window.answers.ConsoleConfigurePlan ?? 0"
        until(chrome, lambda c: c.execute_script(answered) == 3, "the three answers")
        shown(chrome, "#plan-settings .accepted")
        assert configured(embedded) == before + 1

        # A milestone's answer lost: the form says none came; pressed again, the API answers
        # with the event the first press recorded, said as recorded (not refused as no change).
        chrome.find_element(By.CSS_SELECTOR, "details.item[data-contract=c01] summary").click()
        Select(chrome.find_element(By.ID, "milestone-c01-status")).select_by_value("IN_PROGRESS")
        fill(chrome, "milestone-c01-note", "Data migration rehearsal begun.")
        milestone = "details.item[data-contract=c01] form.milestone"
        submit = f"{milestone} button[type=submit]"
        chrome.find_element(By.CSS_SELECTOR, submit).click()
        # Said unanswered, until the plan read again shows the status recorded (which may
        # come first): the refusal is then no longer what the item is about.
        until(chrome, lambda c: c.execute_script("return window.lostAnswers") == 1, "the loss")
        until(chrome, lambda c: c.find_element(By.CSS_SELECTOR, submit).is_enabled(), "the button")
        chrome.find_element(By.CSS_SELECTOR, submit).click()
        shown(chrome, f"{milestone} .accepted")
        assert recorded(embedded, MILESTONE) == 1

        # Withdrawing is refused while the vendor is barred; once it may bid again (its
        # suspension lifted, said live), the refusal goes.
        chrome.find_element(By.CSS_SELECTOR, "details.withdraw-plan summary").click()
        fill(chrome, "withdraw-plan-reason", "The agency keeps the contracts.")
        chrome.find_element(By.CSS_SELECTOR, "#withdraw-plan button[type=submit]").click()
        assert "still barred" in shown(chrome, "#withdraw-plan [role=alert]")
        today = dt.datetime.now(case_migration.TOKYO).date().isoformat()
        lift = case_b.lifted(today, "city-001")
        lift["vendor_id"] = case_migration.VENDOR
        publish_events(embedded.publish, tmp_path / "lift.jsonl", lift)
        until(
            chrome,
            lambda c: "the vendor may bid again" in c.find_element(By.TAG_NAME, "main").text,
            "the vendor eligible",
        )
        until(
            chrome,
            lambda c: not c.find_elements(By.CSS_SELECTOR, "#withdraw-plan [role=alert]"),
            "the refusal gone",
        )

        # A lift dated before the sanction was decided: its error at the day goes once the
        # day is corrected (the form not sent again: another field left empty).
        chrome.get(f"{origin(embedded)}/#/sanctions")
        fill(chrome, "lift-vendorId", SUSPENDED_OTHER)
        fill(chrome, "lift-payload-sanctionId", "city-002")
        fill(chrome, "lift-payload-effectiveOn", "2001-01-01")
        fill(chrome, "lift-payload-reason", "Lifted on appeal.")
        chrome.find_element(By.CSS_SELECTOR, "#lift button[type=submit]").click()
        shown(chrome, "#lift-payload-effectiveOn-error")
        fill(chrome, "lift-payload-reason", "")
        fill(chrome, "lift-payload-effectiveOn", today)
        until(
            chrome,
            lambda c: not c.find_elements(By.CSS_SELECTOR, "#lift-payload-effectiveOn-error"),
            "the day's error gone",
        )
        assert (
            chrome.find_element(By.ID, "lift-payload-effectiveOn").get_attribute("aria-invalid")
            is None
        )
        assert not chrome.find_elements(By.CSS_SELECTOR, "#lift .refusal, #lift [role=alert]")

        # A plan opened by hand for a vendor nobody registered: an unknown vendor.
        chrome.get(f"{origin(embedded)}/#/migration")
        shown(chrome, "details.open-plan summary")
        chrome.find_element(By.CSS_SELECTOR, "details.open-plan summary").click()
        fill(chrome, "open-plan-vendorId", "vendor-zzz")
        fill(chrome, "open-plan-agency", AGENCY)
        fill(chrome, "open-plan-planId", "plan-zzz")
        fill(chrome, "open-plan-reason", "High risk.")
        chrome.find_element(By.CSS_SELECTOR, "#open-plan button[type=submit]").click()
        said = shown(chrome, "#open-plan-vendorId-error")
        assert said == "No such vendor — unknown vendor 'vendor-zzz'", said
