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


def test_a_contract_s_amount_is_shown_in_its_currency_s_units(
    embedded: System, tmp_path: Path
) -> None:
    """The API counts an amount in its currency's smallest unit (ISO 4217): a US$1,000,000
    contract is 100000000 cents, which the page showed as "100,000,000 USD"."""
    awards = [
        example("contract.awarded", contract_id=contract_id, amount=amount, currency=currency)
        for contract_id, amount, currency in (
            ("c-yen", 128_000_000, "JPY"),
            ("c-dollars", 100_000_000, "USD"),
            ("c-dinars", 1_234_567, "KWD"),  # three digits of fils
        )
    ]
    lines = [
        envelope_now("vendor.registered", REGISTERED, VENDOR),
        *(envelope_now("contract.awarded", award, VENDOR) for award in awards),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    embedded.publish(events)
    query = f'{{ vendor(vendorId: "{VENDOR}") {{ contracts {{ totalCount }} }} }}'
    wait_until(
        lambda: (
            (embedded.client.data(query)["vendor"] or {}).get("contracts", {}).get("totalCount")
            == 3
        ),
        "the contracts recorded",
    )
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")
        chrome.execute_script(f"location.hash = '#/vendor/{VENDOR}';")
        shown(chrome, "table.contracts")

        def amounts() -> dict[str, str]:
            rows = chrome.find_elements(By.CSS_SELECTOR, "table.contracts tbody tr")
            cells = [row.find_elements(By.TAG_NAME, "td") for row in rows]
            return {cell[0].text: cell[5].text for cell in cells}

        assert amounts() == {
            "c-yen": "128,000,000 JPY",
            "c-dollars": "1,000,000.00 USD",
            "c-dinars": "1,234.567 KWD",
        }
        in_japanese(chrome)
        until(chrome, lambda c: amounts()["c-dollars"] == "1,000,000.00 USD", "in Japanese")
