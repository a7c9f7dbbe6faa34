"""What the console makes of what a user pastes, types and addresses, in a real Chromium against
a real `vendorwatch up` (a console tester's findings): a token pasted with its header's
"Bearer " signs in (it was refused as no JWT); an address naming no screen says so, with a
link to the first (it showed Screening under `#/nonsense`); a plan's blackout lines not in
three parts are said by their line's number before anything is sent, in English and Japanese,
and the API's errors about a window by the number of its line, counted from 1 (a line in part
was sent and answered "at .blackouts[1]"); and a plan's items, expanded, name each form and
checkbox by its contract (ten forms were each named "Milestone", fifty boxes named their check
alone, the withdrawal's form nothing; axe found landmarks named alike and a heading level
skipped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.accessibility import AXE
from tests.support.console_browser import (
    attribute,
    console_chromium,
    fill,
    in_japanese,
    origin,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_migration_case import the_case_planned
from tests.support.processes import System

pytestmark = pytest.mark.postgres

BLACKOUTS = "plan-settings-settings-blackouts"
# axe's rules of landmarks and headings a screen reader's user moves by (best practices, which
# the WCAG run of accessibility.py leaves out).
NAVIGATION_RULES = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'rule', values: ['landmark-unique', 'heading-order']}})
  .then(r => done(r.violations.map(v => [v.id, v.nodes.map(n => String(n.target))])),
        e => done([['axe failed', [String(e)]]]));"""
# Each form's accessible name (aria-labelledby's text), and each checklist box's label's text.
NAMES = """
const named = (e) => (e.getAttribute('aria-labelledby') ?? '').split(' ').filter(Boolean)
  .map(id => document.getElementById(id)?.textContent.trim()).join(' ');
return [[...document.querySelectorAll('main form')].map(named),
        [...document.querySelectorAll('details.item input[data-check]')]
          .map(box => [box.id, document.querySelector(`label[for="${box.id}"]`).textContent])];"""


def blackouts_error(chrome: WebDriver) -> str:
    return shown(chrome, f"#{BLACKOUTS}-error")


def save_settings(chrome: WebDriver) -> None:
    chrome.find_element(By.CSS_SELECTOR, "#plan-settings button[type=submit]").click()


def test_pasted_tokens_addresses_blackout_lines_and_named_forms(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, f"Bearer {principals.token(Role.ADMIN)}")
        shown(chrome, ".who")

        chrome.get(f"{origin(embedded)}/#/nonsense")
        said = shown(chrome, ".no-such-screen")
        assert said.startswith("The console has no screen at #/nonsense."), said
        assert attribute(chrome, ".no-such-screen a", "href") == "#/"
        assert chrome.find_elements(By.ID, "one-value") == []
        chrome.find_element(By.CSS_SELECTOR, ".no-such-screen a").click()
        shown(chrome, "#one-value")

        chrome.get(f"{origin(embedded)}/#/migration-plan/{plan_id}")
        shown(chrome, "details.plan-settings summary")
        chrome.find_element(By.CSS_SELECTOR, "details.plan-settings summary").click()
        requests = "return performance.getEntriesByType('resource').length"
        before = chrome.execute_script(requests)
        fill(chrome, BLACKOUTS, "2027-02-01 2027-01-15 tax\n\ngarbage line\n2027-05-01")
        save_settings(chrome)
        assert blackouts_error(chrome) == (
            "line 3: needs a first day, a last day and why;"
            " line 4: needs a first day, a last day and why"
        )
        assert chrome.execute_script(requests) == before  # nothing sent
        in_japanese(chrome)
        save_settings(chrome)
        until(chrome, lambda c: blackouts_error(c).startswith("3 行目: 初日"), "Japanese words")
        chrome.find_element(By.CSS_SELECTOR, "header button[lang=en]").click()
        # A line in three parts the API refuses (it ends before it starts): said at its line.
        fill(chrome, BLACKOUTS, "2027-03-01 2027-03-31 audit\n2027-02-01 2027-01-15 tax")
        save_settings(chrome)
        until(
            chrome, lambda c: blackouts_error(c).startswith("line 2: "), "the API's error at line 2"
        )

        # Every item expanded: each form and box named with its contract.
        chrome.execute_script("document.querySelectorAll('details').forEach(d => d.open = true);")
        chrome.execute_script(AXE.read_text(encoding="utf-8"))
        found: list[Any] = chrome.execute_async_script(NAVIGATION_RULES)
        assert found == []
        forms, boxes = chrome.execute_script(NAMES)
        assert "" not in forms, forms
        assert len(forms) == len(set(forms)), forms
        assert "c01: Milestone" in forms and "c10: The item's settings" in forms, forms
        assert len(boxes) == 50, boxes
        for box, label in boxes:
            contract = box.split("-")[1]
            assert label.startswith(f"{contract}: "), (box, label)
