"""A system owner's unsaved edits of a plan's settings survive the plan changing live, in a real
browser on a closed network against a real `vendorwatch up`: the settings form was started
again from the plan at each live update (another owner's change, a schedule's new version),
which replaced what the owner was typing (a tester's finding). The fields left alone follow
the plan; an edited one keeps the owner's text, and the form says the value changed meanwhile,
letting the owner take the value now recorded or keep theirs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    console_chromium,
    fill,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_migration_case import (
    AGENCY,
    open_plan,
    settings_of,
    the_case_planned,
)
from tests.support.migration_checks import operation, plan_of
from tests.support.processes import System

pytestmark = pytest.mark.postgres

CAPACITY = "plan-settings-settings-capacity"
PENALTY = "plan-settings-settings-earlyPenalty"
DEADLINE = "plan-settings-settings-deadlineOn"
# The form's notice of values changed meanwhile: field → the value it says is recorded now.
MEANWHILE = """
return Object.fromEntries([...document.querySelectorAll('#plan-settings-meanwhile li')]
  .map((item) => [item.dataset.field, item.querySelector('.now').textContent]));"""


def values(chrome: WebDriver) -> tuple[str, str]:
    """The capacity's and the penalty's text in the form, read in one script."""
    read: list[str] = chrome.execute_script(
        "return arguments[0].map((id) => document.getElementById(id).value);", [CAPACITY, PENALTY]
    )
    return read[0], read[1]


def deadline(chrome: WebDriver) -> str:
    text: str = chrome.execute_script(f"return document.getElementById('{DEADLINE}').value;")
    return text


def meanwhile(chrome: WebDriver) -> dict[str, str]:
    said: dict[str, str] = chrome.execute_script(MEANWHILE)
    return said


def configured_elsewhere(system: System, plan_id: str, **settings: Any) -> None:
    """Another owner's change of the plan's settings, through the API."""
    system.client.data(operation("configure-migration-plan"), planId=plan_id, settings=settings)


def test_an_owners_unsaved_settings_survive_a_live_change_of_the_plan(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    penalty = settings_of(embedded, plan_id)["earlyPenalty"]
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,)))
        open_plan(chrome, plan_id)
        chrome.find_element(By.CSS_SELECTOR, "details.plan-settings summary").click()
        fill(chrome, CAPACITY, "3")

        # Another owner sets the capacity and the penalty meanwhile: the penalty, left alone
        # here, follows; the capacity keeps what is typed, and the form says what it is now.
        configured_elsewhere(embedded, plan_id, capacity=4, earlyPenalty=penalty + 5)
        until(chrome, lambda c: values(c)[1] == str(penalty + 5), "the penalty changed live")
        assert values(chrome) == ("3", str(penalty + 5))
        assert meanwhile(chrome) == {"settings.capacity": "4"}
        screenshot(chrome, "migration-plan-settings-changed-meanwhile")
        # Taken: the value recorded now, and the notice gone.
        chrome.find_element(By.CSS_SELECTOR, "[data-meanwhile=take]").click()
        until(chrome, lambda c: values(c)[0] == "4", "the capacity taken")
        assert meanwhile(chrome) == {}

        # Typed again and changed again elsewhere: kept.
        fill(chrome, CAPACITY, "5")
        configured_elsewhere(embedded, plan_id, capacity=1)
        until(chrome, lambda c: meanwhile(c) == {"settings.capacity": "1"}, "the change said")
        chrome.find_element(By.CSS_SELECTOR, "[data-meanwhile=keep]").click()
        until(chrome, lambda c: meanwhile(c) == {}, "the notice gone")
        assert values(chrome) == ("5", str(penalty + 5))

        # Saved: the owner's capacity recorded, the penalty as the other owner left it, and
        # nothing said changed meanwhile when the plan comes back with the owner's own value.
        chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#plan-settings .accepted")
        until(chrome, lambda _: plan_of(embedded.client, plan_id)["upToDate"], "rescheduled")
        settings = settings_of(embedded, plan_id)
        assert (settings["capacity"], settings["earlyPenalty"]) == (5, penalty + 5)
        assert values(chrome) == ("5", str(penalty + 5))
        assert meanwhile(chrome) == {}

        # Saved as typed, not as the plan writes it: the plan comes back with the owner's own
        # value, which is no change meanwhile (it was said as one, and the typed text kept),
        # and the form shows it as recorded.
        fill(chrome, CAPACITY, "06")
        chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()
        until(chrome, lambda c: settings_of(embedded, plan_id)["capacity"] == 6, "saved")
        until(chrome, lambda c: values(c)[0] == "6", "the capacity as the plan writes it")
        assert meanwhile(chrome) == {}

        # A day typed as an era date: recorded as the day, which no comparison of the texts
        # knows for the same, yet the owner's own save (a tester saw it said as changed
        # meanwhile); the form shows the day as recorded.
        fill(chrome, DEADLINE, "R14.3.1")
        chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()
        day = "2032-03-01"
        until(chrome, lambda c: settings_of(embedded, plan_id)["deadlineOn"] == day, "saved")
        until(chrome, lambda c: deadline(c) == day, "the day as the plan writes it")
        assert meanwhile(chrome) == {}


def summary(chrome: WebDriver) -> str:
    """The plan's settings as its solver report sums them up."""
    text: str = chrome.execute_script(
        "const dd = document.querySelector('dl.solver dd:nth-of-type(2)');"
        " return dd ? dd.textContent.trim() : '';"
    )
    return text


def test_the_settings_summary_says_a_capacity_and_the_phases_with_their_own(
    embedded: System, tmp_path: Path
) -> None:
    """It read "1 cut-overs a phase", and said nothing of a phase given a capacity of its own
    (a tester's finding)."""
    plan_id = the_case_planned(embedded, tmp_path)
    first = plan_of(embedded.client, plan_id)["phases"][0]["startsOn"]
    overrides = [{"phaseStart": first, "capacity": 0}]
    configured_elsewhere(embedded, plan_id, capacity=1, capacityOverrides=overrides)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,)))
        open_plan(chrome, plan_id)
        said = f"1 cut-over a phase; phases with a capacity of their own: {first}: 0"
        until(chrome, lambda c: said in summary(c), f"{said!r} in {summary(chrome)!r}")
