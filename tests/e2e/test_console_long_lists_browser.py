"""Lists longer than the console shows, in a real browser against a real `vendorwatch up`: a
search matching more vendors than the ten best shown, and a vendor page holding more contracts
than its first hundred, each saying so (they were cut off in silence: the rest looked absent).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.support import principals
from tests.support.console_browser import console_chromium, origin, shown, sign_in_with, until
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

VENDORS = 12  # vendors of like names: more than the search's ten
CONTRACTS = 102  # contracts of one of them: more than the page's hundred
NAME = "長尺リスト建設"


def _events(tmp_path: Path) -> Path:
    lines = [
        envelope("vendor.registered", {"legal_name": f"{NAME}第{n}株式会社"}, f"long-{n:02d}")
        for n in range(VENDORS)
    ]
    award = VALID_PAYLOADS["contract.awarded"]
    lines += [
        envelope("contract.awarded", award | {"contract_id": f"lc-{n:03d}"}, "long-00")
        for n in range(CONTRACTS)
    ]
    path = tmp_path / "long.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return path


def test_a_search_and_a_vendor_page_say_when_they_show_the_first_of_more(
    embedded: System, tmp_path: Path
) -> None:
    embedded.publish(_events(tmp_path))
    count = 'query { vendor(vendorId: "long-00") { contracts(first: 1) { totalCount } } }'

    def recorded() -> bool:
        vendor = embedded.client.data(count)["vendor"]
        return vendor is not None and vendor["contracts"]["totalCount"] == CONTRACTS

    wait_until(recorded, "the long lists recorded", timeout=120)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token())
        shown(chrome, ".who")  # signed in: the navigation drawn
        chrome.find_element(By.LINK_TEXT, "Vendors").click()
        # The screen follows the address on its hashchange event, after the click returned.
        shown(chrome, "#vendor-search")
        chrome.find_element(By.ID, "vendor-search").send_keys(NAME)
        chrome.find_element(By.CSS_SELECTOR, "#vendor-search ~ button[type=submit]").click()
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "table.candidates"), "hits")
        assert len(chrome.find_elements(By.CSS_SELECTOR, "table.candidates tbody tr")) == 10
        assert "More vendors match than the 10 best shown" in shown(chrome, ".more-hits")

        chrome.get(f"{origin(embedded)}/#/vendor/long-00")
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "table.contracts"), "contracts")
        assert len(chrome.find_elements(By.CSS_SELECTOR, "table.contracts tbody tr")) == 100
        assert shown(chrome, "#contracts-title ~ .first-shown") == "The first 100 are shown."
        # A list it shows whole says nothing of the kind.
        assert chrome.find_elements(By.CSS_SELECTOR, "#sanctions-title ~ .first-shown") == []
