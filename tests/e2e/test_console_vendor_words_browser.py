"""What a vendor's page says, in English and Japanese, in a real Chromium against a real
`vendorwatch up`: a vendor barred at one agency in one category is said barred there (the
headline said "barred from bidding", as if everywhere); an identifier of a scheme the console
has no label for is named as one, in Japanese too (it showed `internal: V0042`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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
from tests.support.event_examples import DROP, envelope_now, example
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

VENDOR = "scoped-co"
REGISTERED = {
    "legal_name": "Scoped Builders KK",
    "identifiers": [
        {"scheme": "internal", "value": "V0042"},
        {"scheme": "city_vendor_code", "value": "C77"},
    ],
}


def recorded(system: System, tmp_path: Path) -> None:
    """A vendor suspended from a month ago for 18 months at one agency, in one category."""
    today = dt.date.fromisoformat(system.client.data("query { today }")["today"])
    sanction = example(
        "sanction.imposed",
        sanction_id="scoped-1",
        decided_on=(today - dt.timedelta(days=31)).isoformat(),
        starts_on=(today - dt.timedelta(days=30)).isoformat(),
        agencies=["city-hall"],
        categories=["construction"],
        incident_ids=DROP,
    )
    lines = [
        envelope_now("vendor.registered", REGISTERED, VENDOR),
        envelope_now("sanction.imposed", sanction, VENDOR),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)
    query = f'query {{ bidEligibility(vendor: {{vendorId: "{VENDOR}"}}) {{ eligible }} }}'
    wait_until(
        lambda: system.client.data(query)["bidEligibility"]["eligible"] is False,
        "the vendor barred",
    )


def test_a_vendor_barred_at_one_agency_is_said_barred_there(
    embedded: System, tmp_path: Path
) -> None:
    recorded(embedded, tmp_path)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")
        chrome.execute_script(f"location.hash = '#/vendor/{VENDOR}';")
        headline = shown(chrome, ".barred-today")
        assert headline == "barred from bidding (at city-hall, in construction)", headline
        screenshot(chrome, "vendor-barred-in-scope")

        in_japanese(chrome)
        until(chrome, lambda c: "入札" in shown(c, ".barred-today"), "Japanese")
        assert shown(chrome, ".barred-today") == "入札に参加できません（city-hall・construction）"
        identifiers = [
            li.text
            for li in chrome.find_elements(
                By.XPATH, "//dt[.='識別番号']/following-sibling::dd[1]//li"
            )
        ]
        assert sorted(identifiers) == [
            "内部番号: V0042",
            "識別番号（city_vendor_code）: C77",
        ]
