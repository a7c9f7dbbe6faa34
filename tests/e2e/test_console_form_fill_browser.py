"""A console form keeps every field a browser fills at once, in a real browser on a closed
network against a real `vendorwatch up`: autofill, or a password manager, sets several fields
before the page draws again, and each form's setter copied the values of its last drawing,
so only the last field filled kept its value (the others drawn back empty)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    console_chromium,
    fill_at_once,
    origin,
    shown,
    sign_in_with,
    until,
)
from tests.support.processes import System

pytestmark = pytest.mark.postgres

# Three fields filled and their input events sent in one task, as autofill does: no drawing
# comes in between.
FILLED = {
    "open-plan-vendorId": "vendor-x",
    "open-plan-reason": "Critical risk score.",
    "open-plan-planId": "plan-x",
}


def test_fields_filled_at_once_all_keep_their_values(embedded: System) -> None:
    owner = principals.token(Role.SYSTEM_OWNER, agencies=("情報政策課",))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, owner)
        until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Migration plans"), "navigation")
        chrome.find_element(By.LINK_TEXT, "Migration plans").click()
        shown(chrome, "details.open-plan summary")
        chrome.find_element(By.CSS_SELECTOR, "details.open-plan summary").click()
        shown(chrome, "#open-plan-reason")
        fill_at_once(chrome, FILLED)

        # Drawn again (a tick later) with every value, not the last alone.
        chrome.execute_script("return new Promise((done) => setTimeout(done, 200));")
        drawn = {i: chrome.find_element(By.ID, i).get_attribute("value") for i in FILLED}
        assert drawn == FILLED
