"""The console's addresses, in a real Chromium against a real `vendorwatch up`: a screen the
role may not use, opened by its address, says so (it showed the first screen the role may use
under the other's address, read as that screen)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    console_chromium,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.processes import System

pytestmark = pytest.mark.postgres


def test_a_screen_the_role_may_not_use_says_so(embedded: System) -> None:
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")
        chrome.get(f"{origin(embedded)}/#/sanctions")
        said = shown(chrome, "main .not-for-role")
        assert said.startswith("Sanctions is not available to your role (procurement officer)")
        assert chrome.find_elements(By.ID, "condition-asOf") == []  # not the screening screen
        assert chrome.find_elements(By.CSS_SELECTOR, "nav [aria-current]") == []
        assert chrome.current_url.endswith("#/sanctions")
        screenshot(chrome, "screen-not-for-role")

        in_japanese(chrome)
        until(chrome, lambda c: "調達担当者" in shown(c, "main .not-for-role"), "Japanese")
        assert shown(chrome, "main .not-for-role").startswith(
            "「措置」は、あなたの役割（調達担当者）では利用できません"
        )
        # The navigation leads on.
        chrome.find_element(By.CSS_SELECTOR, "nav a[href='#/screening']").click()
        shown(chrome, "#condition-asOf")
        assert chrome.find_elements(By.CSS_SELECTOR, "main .not-for-role") == []
