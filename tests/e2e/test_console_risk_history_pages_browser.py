"""A vendor's risk history longer than a page, in a real browser against a real `vendorwatch
up`: the risk page showed the oldest 500 changes of 515, then jumped to today, and said "the
score after each of its 500 recorded changes" (a risk analyst's finding). It shows the latest,
says which of how many and of which days, and pages back to the earlier ones and on again."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    console_chromium,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

VENDOR = "long-history"
CHANGES = 515  # a contract awarded a day: more than the API's page of 500
FIRST_DAY = dt.date(2020, 1, 1)


def _day(n: int) -> str:
    return (FIRST_DAY + dt.timedelta(days=n)).isoformat()


def _events(tmp_path: Path) -> Path:
    """The vendor, then a contract awarded to it each day from FIRST_DAY: a change each."""
    lines = [envelope("vendor.registered", {"legal_name": "長期履歴株式会社"}, VENDOR)]
    award = VALID_PAYLOADS["contract.awarded"]
    lines += [
        envelope(
            "contract.awarded",
            award
            | {
                "contract_id": f"lh-{n:03d}",
                "awarded_on": _day(n),
                "starts_on": _day(n),
                "ends_on": "2030-03-31",
            },
            VENDOR,
        )
        for n in range(CHANGES)
    ]
    path = tmp_path / "long-history.jsonl"
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return path


def _points(chrome: WebDriver) -> int:
    return len(chrome.find_elements(By.CSS_SELECTOR, ".history-chart circle"))


def _table_days(chrome: WebDriver) -> list[str]:
    script = (
        "return [...document.querySelectorAll('table.history tbody tr td:first-child')]"
        ".map(cell => cell.textContent.trim());"
    )
    days: list[str] = chrome.execute_script(script)
    return days


def _page(chrome: WebDriver, button: str, shows: str) -> None:
    chrome.find_element(By.CSS_SELECTOR, f".history-pages button[data-page={button}]").click()
    until(chrome, lambda c: shown(c, ".history-shown").startswith(shows), shows)


def test_a_long_history_shows_its_latest_changes_says_which_and_pages_back(
    embedded: System, tmp_path: Path
) -> None:
    embedded.publish(_events(tmp_path))
    count = "query ($id: ID!) { riskHistory(vendorId: $id) { totalCount } }"
    wait_until(
        lambda: embedded.client.data(count, id=VENDOR)["riskHistory"]["totalCount"] == CHANGES,
        "every award scored",
        timeout=180,
    )
    latest = f"The latest 500 of its {CHANGES} changes are shown, dated {_day(15)} – {_day(514)}."
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        shown(chrome, ".who")
        chrome.get(f"{origin(embedded)}/#/risk-vendor/{VENDOR}")

        # The latest 500 changes, said as such with their days, drawn up to today.
        assert shown(chrome, "#history-title") == f"Score history ({CHANGES} changes)"
        assert shown(chrome, ".history-shown") == latest
        assert _points(chrome) == 500
        caption = shown(chrome, ".history-chart figcaption")
        assert caption.startswith(
            f"The score after each of 500 of its {CHANGES} recorded changes,"
            f" {_day(15)} – {_day(514)}; today,"
        ), caption
        assert len(chrome.find_elements(By.CSS_SELECTOR, ".history-chart rect.today")) == 1
        days = _table_days(chrome)
        assert (days[0], days[-1], len(days)) == (_day(15), _day(514), 500)
        assert chrome.find_elements(By.CSS_SELECTOR, ".history-pages button[data-page=later]") == []
        screenshot(chrome, "risk-history-latest")

        # Back to the 15 before them: said to be not the latest, not drawn up to today.
        _page(chrome, "earlier", f"15 of its {CHANGES} changes, not the latest,")
        assert shown(chrome, ".history-shown") == (
            f"15 of its {CHANGES} changes, not the latest, are shown, dated {_day(0)} – {_day(14)}."
        )
        assert _points(chrome) == 15
        caption = shown(chrome, ".history-chart figcaption")
        assert caption == (
            f"The score after each of 15 of its {CHANGES} recorded changes, {_day(0)} – {_day(14)}"
        ), caption
        assert chrome.find_elements(By.CSS_SELECTOR, ".history-chart rect.today") == []
        assert _table_days(chrome) == [_day(n) for n in range(15)]
        assert chrome.find_elements(By.CSS_SELECTOR, "button[data-page=earlier]") == []
        screenshot(chrome, "risk-history-earlier")

        # On to the later ones (the latest again), and back to the latest directly.
        _page(chrome, "later", "The latest 500")
        assert shown(chrome, ".history-shown") == latest
        assert _table_days(chrome) == [_day(n) for n in range(15, CHANGES)]
        _page(chrome, "earlier", "15 of its")
        _page(chrome, "latest", "The latest 500")
        assert _points(chrome) == 500
