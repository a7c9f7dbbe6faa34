"""The console at a phone's viewport (375×812), a tablet's (768×1024) and at 1280×800, in a real
browser against a real `vendorwatch up` holding the case's migration plan: no screen is wider
than the window (nothing to scroll sideways: a wide table or chart scrolls in its own box),
and a keyboard alone signs in, moves through the navigation and screens a bidder, each focused
control showing a visible outline; pressing Screen leaves focus on the answer's heading (the
button it pressed is disabled meanwhile, which dropped focus to the page's body), a polite live
region says the answer's summary, and the window's title names each screen in the user's
language.

One `up` and one browser for the whole test: each page is measured at each size in turn."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import case_b, principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    in_japanese,
    origin,
    shown,
    sticking_out,
    until,
    viewport,
)
from tests.support.console_migration_case import (
    the_case_planned,
)
from tests.support.processes import System

pytestmark = pytest.mark.postgres

PHONE = (375, 812)
TABLET = (768, 1024)
DESKTOP = (1280, 800)
# Enough presses of Tab to reach any control of the screens tested, and no more: a control
# that takes longer is a keyboard trap or lost in the tab order.
MOST_TABS = 40

# The focused element, and whether a keyboard user sees where focus is.
FOCUS = """
const e = document.activeElement;
const style = getComputedStyle(e);
return [e.id || e.getAttribute('href') || e.tagName.toLowerCase(),
        style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2];
"""


def tab_to(chrome: WebDriver, matches: str, back: bool = False) -> None:
    """Press Tab (Shift+Tab when `back`) until the focused element matches the CSS `matches`,
    checking that every control passed on the way shows its focus."""
    for _ in range(MOST_TABS):
        step = ActionChains(chrome)
        if back:
            step.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT)
        else:
            step.send_keys(Keys.TAB)
        step.perform()
        focused, visible = chrome.execute_script(FOCUS)
        assert visible, f"{focused} has keyboard focus but no visible focus outline"
        if chrome.execute_script("return document.activeElement.matches(arguments[0])", matches):
            return
    raise AssertionError(f"{MOST_TABS} presses of Tab never reached {matches}")


def press(chrome: WebDriver, *keys: str) -> None:
    ActionChains(chrome).send_keys(*keys).perform()


# What a screen reader hears of the one-bidder section's live region.
ANNOUNCED = """
const region = document.querySelector("#one-title ~ [role=status]:not(.waiting)");
return region && region.textContent;
"""


def focused(chrome: WebDriver, css: str) -> bool:
    return bool(chrome.execute_script("return document.activeElement.matches(arguments[0])", css))


def fits(chrome: webdriver.Chrome, page: str) -> None:
    """At each size: nothing wider than the window."""
    for width, height in (PHONE, TABLET, DESKTOP):
        viewport(chrome, width, height)
        wider = sticking_out(chrome)
        assert wider == [], f"{page} at {width}×{height}: {wider}"


def test_every_screen_fits_a_phone_a_tablet_and_1280_px_and_a_keyboard_signs_in_and_screens(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    with console_chromium() as chrome:
        viewport(chrome, *TABLET)
        chrome.get(f"{origin(embedded)}/")
        shown(chrome, "#token")
        assert chrome.title == "Sign in — VendorWatch"
        fits(chrome, "sign-in")

        # On the tablet: signed in, a screen chosen and a bidder screened by keyboard alone.
        viewport(chrome, *TABLET)
        tab_to(chrome, "#token")
        press(chrome, principals.token(Role.ADMIN))
        tab_to(chrome, ".signin button[type=submit]")
        press(chrome, Keys.ENTER)
        shown(chrome, "nav ul")
        tab_to(chrome, "nav a[href='#/vendors']")
        press(chrome, Keys.ENTER)
        until(chrome, lambda c: c.execute_script("return location.hash") == "#/vendors", "vendors")
        tab_to(chrome, "nav a[href='#/screening']", back=True)
        press(chrome, Keys.ENTER)
        shown(chrome, "#one-value")
        tab_to(chrome, "#one-value")
        press(chrome, case_b.VENDOR, Keys.ENTER)
        answer = shown(chrome, "#one-title ~ .results tr[data-ref]")
        assert case_b.VENDOR in answer
        assert chrome.title == "Screening — VendorWatch"
        # Screened again with the button: focus is kept on the answer, which is said aloud.
        tab_to(chrome, "#one-title ~ form button[type=submit]")
        press(chrome, Keys.ENTER)
        until(chrome, lambda c: focused(c, "#one-title ~ .results h4"), "focus on the answer")
        assert chrome.execute_script(ANNOUNCED).startswith("Result: 1 bidder. Eligible: ")
        fits(chrome, "screening")
        in_japanese(chrome)
        until(chrome, lambda c: c.title == "入札参加者の確認 — VendorWatch", "a Japanese title")
        chrome.find_element(By.CSS_SELECTOR, "header button[lang=en]").click()

        # Every other page, with what it shows once read and its title.
        pages = {
            "vendors": ("#/vendors", "#main form", "Vendors"),
            "vendor B": (f"#/vendor/{case_b.VENDOR}", ".track .barred", "Vendor"),
            "risk board": ("#/risk", "table.risk-board tr[data-vendor]", "Risk board"),
            "vendor B's risk": (
                f"#/risk-vendor/{case_b.VENDOR}",
                ".history-chart svg",
                "Vendor's risk",
            ),
            "migration plans": ("#/migration", "tr[data-plan]", "Migration plans"),
            "the plan": (
                f"#/migration-plan/{plan_id}",
                ".gantt g.row[data-contract]",
                "Migration plan",
            ),
            "sanctions": ("#/sanctions", "#impose-payload-startsOn", "Sanctions"),
            "alerts": ("#/alerts", "table.alerts tr[data-alert]", "Alerts"),
            "watchlists": ("#/watchlists", "table.watchlists tr[data-watchlist]", "Watchlists"),
            "vendor B's incidents": (
                f"#/incidents/{case_b.VENDOR}",
                "#report-incident-payload-incidentId",
                "Incidents",
            ),
        }
        for page, (route, ready, title) in pages.items():
            chrome.get(f"{origin(embedded)}/{route}")
            shown(chrome, ready)
            assert chrome.title == f"{title} — VendorWatch", page
            fits(chrome, page)
        assert_only_the_api_was_reached(chrome, embedded)
