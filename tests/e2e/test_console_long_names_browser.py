"""Long names and titles in a real Chromium against a real `vendorwatch up` (a console tester's
findings): a contract's long Japanese title stays in the Gantt chart's label column (it ran
across the month columns over the bars), whole in the row's tooltip; and names without spaces
(a legal name of 300 × "A", a German firm's compound word) make no screen wider than the
window, at 1280 px or at a phone's 375 px (the risk board was 4047 px wide at 1280, a vendor's
page 5596 px, a search 3673 px, a phone's page 797 px)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import case_migration, principals
from tests.support.console_browser import (
    console_chromium,
    fill,
    origin,
    shown,
    sign_in_with,
    sticking_out,
    until,
    viewport,
)
from tests.support.console_migration_case import the_case_planned
from tests.support.console_risk_case import RISKIEST, incident_today
from tests.support.event_examples import envelope
from tests.support.migration_checks import plan_of, publish_events
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

LONG_TITLE = (
    "住民情報・税務・福祉・介護保険・国民健康保険・後期高齢者医療・児童手当・生活保護を一体で扱う"
    "基幹業務システムの運用保守および法改正対応業務委託（令和八年度から令和十二年度まで）"
)
A_NAME = "A" * 300
GERMAN = "Kommunaldatenverarbeitungsdienstleistungsgesellschaft Informationssystemtechnik GmbH"
LONG_VENDORS = {"vendor-aaa": A_NAME, "vendor-kommunal": GERMAN}

# Each row's label against its row's bars and checklist count, in the page's pixels.
LABELS = """
return [...document.querySelectorAll('.gantt g.row')].map(row => {
  const label = row.querySelector('.row-label');
  return [row.dataset.contract, label.getBoundingClientRect().right,
          row.querySelector('.running').getBoundingClientRect().left,
          row.querySelector('.row-checks').getBoundingClientRect().left,
          label.querySelector('title')?.textContent ?? null];
});"""


def too_wide(chrome: WebDriver) -> list[str]:
    """What makes the page wider than its window: the page's width, and the elements that
    stick out (none, and the page as wide as the window: nothing to scroll sideways)."""
    page, window = chrome.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    return [] if page <= window else [f"{page} px wide", *sticking_out(chrome)]


def long_title_awarded(system: System, tmp_path: Path, plan_id: str) -> None:
    """Contract c11, titled LONG_TITLE, of the plan's barred vendor at its agency, in the plan."""
    start = dt.datetime.now(case_migration.TOKYO).date().replace(day=1)
    award = case_migration.awarded(start, case_migration.CONTRACTS[0])
    award["payload"] = {**award["payload"], "contract_id": "c11", "title": LONG_TITLE}
    publish_events(system.publish, tmp_path / "long.jsonl", award)

    def planned() -> bool:
        items: list[dict[str, Any]] = plan_of(system.client, plan_id)["items"]
        return any(i["contractId"] == "c11" for i in items)

    wait_until(planned, "c11 in the plan")


def long_named_vendors(system: System, tmp_path: Path) -> None:
    """The LONG_VENDORS registered, each with a critical incident today, once ranked."""
    events = []
    for n, (vendor_id, name) in enumerate(LONG_VENDORS.items()):
        events.append(envelope("vendor.registered", {"legal_name": name}, vendor_id))
        events.append(incident_today(vendor_id, f"inc-long-{n}", "data_leak"))
    publish_events(system.publish, tmp_path / "names.jsonl", *events)

    def ranked() -> bool:
        board = {r["vendorId"] for r in system.client.data(RISKIEST)["riskiestVendors"]}
        return set(LONG_VENDORS) <= board

    wait_until(ranked, "the long-named vendors on the risk board")


def test_long_titles_stay_in_the_gantt_label_column_and_long_names_fit_the_window(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    long_title_awarded(embedded, tmp_path, plan_id)
    long_named_vendors(embedded, tmp_path)
    with console_chromium() as chrome:
        viewport(chrome, 1280, 800)
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.ADMIN))
        shown(chrome, ".who")

        chrome.get(f"{origin(embedded)}/#/migration-plan/{plan_id}")
        shown(chrome, ".gantt g.row[data-contract=c11]")
        for contract, right, bars, checks, tooltip in chrome.execute_script(LABELS):
            assert right <= bars and right <= checks, f"{contract}'s label runs over its row"
            if contract == "c11":
                assert tooltip == f"c11 {LONG_TITLE}"
        label = chrome.execute_script(
            "const label = document.querySelector('.gantt g.row[data-contract=c11] .row-label');"
            "return [...label.childNodes].filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join('').trim();"
        )
        assert label.endswith("…") and LONG_TITLE.startswith(label.removesuffix("…")[4:])

        pages = {
            "the plan": f"#/migration-plan/{plan_id}",
            "risk board": "#/risk",
            **{f"{v}'s page": f"#/vendor/{v}" for v in LONG_VENDORS},
            **{f"{v}'s risk": f"#/risk-vendor/{v}" for v in LONG_VENDORS},
            "a search for A…": f"#/vendors/{'A' * 40}",
            "a search for the German name": "#/vendors/Kommunaldatenverarbeitung",
        }
        wider: dict[str, list[str]] = {}
        for page, route in pages.items():
            chrome.get(f"{origin(embedded)}/{route}")
            shown(chrome, "main h2")
            until(chrome, lambda c: "Loading" not in c.find_element(By.TAG_NAME, "main").text, page)
            for width in (1280, 375):
                viewport(chrome, width, 800)
                wider[f"{page} at {width} px"] = too_wide(chrome)
            viewport(chrome, 1280, 800)

        # A bidder screened by the long name, its answer beside it.
        chrome.get(f"{origin(embedded)}/#/screening")
        fill(chrome, "one-value", GERMAN)
        chrome.find_element(By.CSS_SELECTOR, "#one-title ~ form button[type=submit]").click()
        shown(chrome, "#one-title ~ .results tr[data-ref]")
        for width in (1280, 375):
            viewport(chrome, width, 800)
            wider[f"screening at {width} px"] = too_wide(chrome)
        failing = [f"{page}: {', '.join(out[:4])}" for page, out in wider.items() if out]
        assert failing == [], "\n".join(failing)
