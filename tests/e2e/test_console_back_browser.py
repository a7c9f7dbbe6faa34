"""Back and bookmarks, in a real Chromium against a real `vendorwatch up`: an officer who
screened a list, opened a vendor from the answers and pressed Back finds the list, the
conditions and the answers as they were (they were gone: the list had to be pasted and screened
again for every candidate reviewed); a vendor search is in the address, so Back from a hit
finds the query and its hits and a bookmarked search opens with them; and nothing of one
user's screening is shown to the next user signed in in the same tab."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role
from tests.support import case_b, principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    fill,
    origin,
    result_rows,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.console_registry_case import B_NUMBER, C_NUMBER, recorded
from tests.support.processes import System

pytestmark = pytest.mark.postgres

DURING_THE_SUSPENSION = "2023-01-10"
AGENCY = "city-hall"
# A few of the bidders of a long list: vendor B by its number, C by its number, a name that
# is vendor B's in kana, and a name the registry does not know.
BIDDERS = [B_NUMBER, C_NUMBER, "びーしすてむ", "入札参加者001建設株式会社"]
LIST = "#list-title ~ .results"
ONE = "#one-title ~ .results"
SEARCH = "ビーシステム"


def field(chrome: WebDriver, field_id: str) -> str:
    value: str = chrome.execute_script(
        "return document.getElementById(arguments[0])?.value ?? null;", field_id
    )
    return value


def hits(chrome: WebDriver) -> list[str]:
    found: list[str] = chrome.execute_script(
        "return [...document.querySelectorAll('table.candidates tbody tr td:first-child')]"
        ".map(cell => cell.innerText);"
    )
    return found


def test_back_from_a_vendor_finds_the_screening_as_it_was_until_sign_out(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")

        # On a day at an agency: one bidder screened by its vendor id, then a list; vendor B
        # opened from the list's answer.
        fill(chrome, "condition-asOf", DURING_THE_SUSPENSION)
        fill(chrome, "condition-agency", AGENCY)
        Select(chrome.find_element(By.ID, "one-by")).select_by_value("vendorId")
        fill(chrome, "one-value", case_b.VENDOR)
        chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]").click()
        until(chrome, lambda c: result_rows(c, ONE), "the one bidder's answer")
        one = result_rows(chrome, ONE)
        fill(chrome, "list-text", "\n".join(BIDDERS))
        chrome.find_element(By.CSS_SELECTOR, "#list-text ~ button[type=submit]").click()
        until(chrome, lambda c: len(result_rows(c, LIST)) == len(BIDDERS), "the list's answers")
        answered = result_rows(chrome, LIST)
        assert answered["line 1"][0] == "BARRED"
        chrome.find_element(By.CSS_SELECTOR, f"{LIST} tr[data-ref='line 1'] a").click()
        until(chrome, lambda c: case_b.VENDOR in shown(c, "main h2"), "vendor B's page")

        # Back: the list, the conditions and the answers, not an empty form.
        chrome.back()
        until(chrome, lambda c: result_rows(c, LIST), "the answers again")
        assert chrome.current_url.endswith("#/screening") or chrome.current_url.endswith("/")
        assert result_rows(chrome, LIST) == answered
        assert field(chrome, "list-text") == "\n".join(BIDDERS)
        assert field(chrome, "condition-asOf") == DURING_THE_SUSPENSION
        assert field(chrome, "condition-agency") == AGENCY
        # The answers are still the conditions' own: no note that they changed.
        assert chrome.find_elements(By.CSS_SELECTOR, f"{LIST} .stale") == []
        assert result_rows(chrome, ONE) == one
        assert field(chrome, "one-by") == "vendorId"
        assert field(chrome, "one-value") == case_b.VENDOR
        screenshot(chrome, "screening-after-back")

        # In the page loaded afresh in the same tab (a reload), as it was left.
        chrome.refresh()
        until(chrome, lambda c: result_rows(c, LIST) == answered, "the answers after a reload")

        # Signed out, and another user signed in in the same tab: nothing of the first's.
        chrome.find_element(By.CSS_SELECTOR, ".who button").click()
        sign_in_with(chrome, principals.token(Role.AUDITOR))
        shown(chrome, ".who")
        chrome.find_element(By.LINK_TEXT, "Screening").click()
        shown(chrome, "#list-text")
        assert field(chrome, "list-text") == ""
        assert field(chrome, "one-value") == ""
        assert field(chrome, "condition-asOf") == ""
        assert field(chrome, "condition-agency") == ""
        assert chrome.find_elements(By.CSS_SELECTOR, ".results") == []
        assert_only_the_api_was_reached(chrome, embedded)


def test_a_search_is_in_the_address_for_back_and_bookmarks(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")

        # The vendor search: the query is the address's; Back from a hit finds both.
        chrome.find_element(By.LINK_TEXT, "Vendors").click()
        fill(chrome, "vendor-search", SEARCH)
        chrome.find_element(By.CSS_SELECTOR, "#vendor-search ~ button[type=submit]").click()
        until(chrome, lambda c: hits(c), "the hits")
        found = hits(chrome)
        assert found[0] == case_b.VENDOR
        assert chrome.current_url.endswith(f"#/vendors/{quote(SEARCH)}")
        chrome.find_element(By.LINK_TEXT, case_b.VENDOR).click()
        until(chrome, lambda c: case_b.VENDOR in shown(c, "main h2"), "vendor B's page")
        chrome.back()
        until(chrome, lambda c: hits(c) == found, "the hits again")
        assert field(chrome, "vendor-search") == SEARCH
        # Back once more: the search before it, none.
        chrome.back()
        until(chrome, lambda c: field(c, "vendor-search") == "", "the empty search")
        assert hits(chrome) == []

        # A bookmarked search opened in a new tab (signed out: no token kept) opens with its
        # hits once signed in.
        chrome.switch_to.new_window("tab")
        chrome.get(f"{origin(embedded)}/#/vendors/{quote(SEARCH)}")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        until(chrome, lambda c: hits(c) == found, "the bookmarked search's hits")
        assert field(chrome, "vendor-search") == SEARCH
        assert_only_the_api_was_reached(chrome, embedded)
