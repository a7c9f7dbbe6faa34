"""Screening in a real browser when the API is slow to answer, or never does: the officer is
told the request waits (a live region), and a request no answer comes to is given up a little
after the API's own 30 s limit, saying the server did not answer and that the screen can be
asked again, which then answers. The browser's network holds the requests (CDP's Fetch
domain pauses them and never lets them through), as a server stopped mid-request would."""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By

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
from tests.support.processes import System

pytestmark = pytest.mark.postgres

# api.js's ANSWER_WAIT_SECONDS: a little more than the API's 30 s limit per request.
GIVEN_UP_AFTER = 35
ONE = "#one-title ~ "


def test_screening_says_it_waits_and_gives_up_on_an_answer_that_never_comes(
    embedded: System,
) -> None:
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/screening")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, "#one-value")
        # From here the browser's network holds every request to the API unanswered.
        chrome.execute_cdp_cmd("Fetch.enable", {"patterns": [{"urlPattern": "*/graphql*"}]})
        fill(chrome, "one-value", "株式会社ビーシステム")
        sent = time.monotonic()
        chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]").click()
        waiting = chrome.find_element(By.CSS_SELECTOR, f"{ONE}.waiting")
        assert waiting.get_attribute("role") == "status"
        assert waiting.text == "Sent: waiting for the answer…"
        screenshot(chrome, "screening-waiting")

        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, f"{ONE}.refusal"), "no answer")
        assert time.monotonic() - sent >= GIVEN_UP_AFTER - 1
        refusal = shown(chrome, f"{ONE}.refusal")
        assert refusal.startswith("No answer:\nThe server did not answer in 35 seconds"), refusal
        assert "A screening or a read records nothing: ask again." in refusal
        code = chrome.find_element(By.CSS_SELECTOR, f"{ONE}.refusal li").get_attribute("data-code")
        assert code == "NO_ANSWER_IN_TIME"
        assert chrome.find_elements(By.CSS_SELECTOR, f"{ONE}.waiting") == []
        button = chrome.find_element(By.CSS_SELECTOR, "#one-value ~ button[type=submit]")
        assert button.is_enabled()

        # The network answers again: asked again, the screen answers.
        chrome.execute_cdp_cmd("Fetch.disable", {})
        button.click()
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, f"{ONE}.results"), "an answer")
        assert chrome.find_elements(By.CSS_SELECTOR, f"{ONE}.refusal") == []
