"""An agency's alerts and watchlists in the console, in a real Chromium against a real
`vendorwatch up`: a procurement officer sees the alert a sanction raised (what changed, the
vendor, the watchlist that caught it, the day, its webhook delivered), acknowledges it with a
note (a note the API refuses is shown at the note, which takes focus) and sees it
acknowledged; a system owner sees its own agencies' alerts only; a role that may not read
alerts is told so at their address. A watchlist saved from the console (its refusals at
their fields, the automatic list read only) raises an alert when its vendor is sanctioned,
and the open alerts screen shows it without a reload."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from services.platform.security.auth import Role
from tests.support import case_b, principals
from tests.support.alert_events import MINE, THEIRS, TODAY, contract
from tests.support.console_browser import (
    attribute,
    console_chromium,
    fill,
    focused,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.processes import System, wait_until
from tests.support.webhook_receiver import Receiver, free_port

pytestmark = pytest.mark.postgres

WATCHED = "vendor-watched"
ALERTS = """query ($agency: String) { alerts(agency: $agency) {
  edges { node { alertId agency vendorId change watchlists acknowledgedBy note
    delivery { state } } } } }"""
WATCHLISTS = "{ watchlists { agency name automatic vendorIds } }"
ACKNOWLEDGE = """mutation ($id: ID!) {
  acknowledgeAlert(alertId: $id, note: "Seen.", waitForProcessing: true) { accepted } }"""


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """My agency's webhook, set before `up` starts (ask for it before `embedded`); the other
    agency has none."""
    receiver = Receiver(free_port())
    receiver.start()
    monkeypatch.setenv("VENDORWATCH_ALERT_WEBHOOKS", json.dumps({MINE: receiver.url}))
    monkeypatch.setenv("VENDORWATCH_ALERT_WEBHOOK_SECRET", "console-alerts-test-secret")
    try:
        yield receiver
    finally:
        receiver.stop()


def published(system: System, tmp_path: Path, name: str, *lines: dict[str, Any]) -> None:
    events = tmp_path / f"{name}.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)


def sanctioned(vendor_id: str, sanction_id: str) -> dict[str, Any]:
    """Suspended from today, decided yesterday."""
    return case_b.suspended(
        vendor_id=vendor_id,
        sanction_id=sanction_id,
        decided_on=str(TODAY - dt.timedelta(days=1)),
        starts_on=str(TODAY),
    )


def alerts_of(system: System, agency: str | None = None) -> list[dict[str, Any]]:
    edges = system.client.data(ALERTS, agency=agency)["alerts"]["edges"]
    return [edge["node"] for edge in edges]


def running_contracts_of_both(system: System, tmp_path: Path) -> None:
    """Vendor B with a contract running at my agency and at theirs, on their automatic lists."""
    published(system, tmp_path, "contracts", case_b.registered(), contract(MINE), contract(THEIRS))
    wait_until(
        lambda: len(system.client.data(WATCHLISTS)["watchlists"]) == 2,
        "the contracts' vendor on both agencies' automatic watchlists",
    )


def row(alert_id: str) -> str:
    return f"table.alerts tr[data-alert='{alert_id}']"


def test_an_officer_acknowledges_the_alert_a_sanction_raised_and_an_owner_sees_its_own(
    webhook: Receiver, embedded: System, tmp_path: Path
) -> None:
    running_contracts_of_both(embedded, tmp_path)
    published(embedded, tmp_path, "sanction", sanctioned(case_b.VENDOR, "city-alert-001"))
    wait_until(
        lambda: (
            {a["agency"] for a in alerts_of(embedded)} == {MINE, THEIRS}
            and alerts_of(embedded, MINE)[0]["delivery"]["state"] == "DELIVERED"
        ),
        "an alert at each agency, mine delivered to its webhook",
    )
    (mine,) = alerts_of(embedded, MINE)
    (theirs,) = alerts_of(embedded, THEIRS)
    alert_id = mine["alertId"]
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/alerts?agency={MINE}&acknowledged=false")
        # An officer's token may name an agency, yet the API shows it every agency's alerts:
        # the screen said "The alerts of your agencies: …" above another agency's.
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER, (THEIRS,)))
        text = shown(chrome, row(alert_id))
        assert "The alerts of every agency" in shown(chrome, "main"), shown(chrome, "main")
        assert attribute(chrome, row(alert_id), "data-change") == "BARRED"
        assert (
            chrome.find_elements(By.CSS_SELECTOR, "table.alerts tr[data-alert]")[0].get_attribute(
                "data-alert"
            )
            == alert_id
            and len(chrome.find_elements(By.CSS_SELECTOR, "table.alerts tr[data-alert]")) == 1
        )
        for said in (
            "Barred",
            "city-alert-001",
            "Running contracts (automatic)",
            str(TODAY),
            "Delivered",
        ):
            assert said in text, (said, text)
        vendor = chrome.find_element(
            By.CSS_SELECTOR, f"{row(alert_id)} a[href='#/vendor/{case_b.VENDOR}']"
        )
        assert vendor.text, "the vendor's link names it"
        screenshot(chrome, "alerts-officer")

        # A note the API refuses (a control character) is shown at the note, which has focus.
        chrome.find_element(By.CSS_SELECTOR, f"{row(alert_id)} details.acknowledge summary").click()
        note = f"acknowledge-{alert_id}-note"
        fill(chrome, note, "Called the vendor\u0007")
        chrome.find_element(By.CSS_SELECTOR, f"#acknowledge-{alert_id} button[type=submit]").click()
        error = shown(chrome, f"#{note}-error")
        assert attribute(chrome, f"#{note}", "aria-invalid") == "true", error
        until(chrome, lambda c: focused(c) == note, "focus on the note in error")
        assert alerts_of(embedded, MINE)[0]["acknowledgedBy"] is None

        fill(chrome, note, "Called the vendor; contract under review.")
        chrome.find_element(By.CSS_SELECTOR, f"#acknowledge-{alert_id} button[type=submit]").click()
        done = shown(chrome, f"{row(alert_id)} [data-acknowledged=true]")
        assert "Acknowledged by test-procurement_officer" in done, done
        assert "Called the vendor; contract under review." in done, done
        stored = alerts_of(embedded, MINE)[0]
        assert (stored["acknowledgedBy"], stored["note"]) == (
            "test-procurement_officer",
            "Called the vendor; contract under review.",
        )
        # Read again, the unacknowledged list no longer holds it; every alert's does.
        chrome.refresh()
        shown(chrome, "p.empty")
        assert not chrome.find_elements(By.CSS_SELECTOR, "table.alerts tr[data-alert]")
        chrome.execute_script(f"location.hash = '#/alerts?agency={MINE}';")
        shown(chrome, f"{row(alert_id)} [data-acknowledged=true]")
        in_japanese(chrome)
        until(
            chrome,
            lambda c: "確認済み" in c.find_element(By.CSS_SELECTOR, row(alert_id)).text,
            "Japanese",
        )
        screenshot(chrome, "alerts-officer-acknowledged-ja")

    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/alerts")
        sign_in_with(chrome, principals.token(Role.SYSTEM_OWNER, (THEIRS,)))
        shown(chrome, row(theirs["alertId"]))
        agencies = [
            r.get_attribute("data-alert")
            for r in chrome.find_elements(By.CSS_SELECTOR, "table.alerts tr[data-alert]")
        ]
        assert agencies == [theirs["alertId"]], agencies
        assert "No webhook" in chrome.find_element(By.CSS_SELECTOR, row(theirs["alertId"])).text
        # Another agency's alerts, asked by address, are refused in the API's words.
        chrome.execute_script(f"location.hash = '#/alerts?agency={MINE}';")
        refusal = shown(chrome, ".refusal")
        assert MINE in refusal, refusal
        assert not chrome.find_elements(By.CSS_SELECTOR, "table.alerts tr[data-alert]")

    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/alerts")
        sign_in_with(chrome, principals.token(Role.RISK_ANALYST))
        notice = shown(chrome, ".not-for-role")
        assert "Alerts is not available to your role (risk analyst)" in notice, notice
        assert not chrome.find_elements(By.CSS_SELECTOR, "nav a[href='#/alerts']")


def save_watchlist(chrome: WebDriver, agency: str, name: str, vendor_ids: str) -> None:
    fill(chrome, "save-watchlist-agency", agency)
    fill(chrome, "save-watchlist-name", name)
    fill(chrome, "save-watchlist-vendorIds", vendor_ids)
    chrome.find_element(By.CSS_SELECTOR, "#save-watchlist button[type=submit]").click()


def test_a_watchlist_saved_in_the_console_raises_a_live_alert_when_its_vendor_is_sanctioned(
    embedded: System, tmp_path: Path
) -> None:
    running_contracts_of_both(embedded, tmp_path)
    published(embedded, tmp_path, "watched", case_b.another_vendor(WATCHED))
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/#/watchlists")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        automatic = shown(chrome, f"tr[data-agency='{MINE}'][data-automatic=true]")
        assert "Running contracts (automatic)" in automatic and case_b.VENDOR in automatic
        assert not chrome.find_elements(By.CSS_SELECTOR, "tr[data-automatic=true] button")

        # Refused at their fields: the automatic list's name, a vendor the registry lacks;
        # focus on the first.
        save_watchlist(chrome, MINE, "running contracts", f"{WATCHED}\nghost-vendor")
        name_error = shown(chrome, "#save-watchlist-name-error")
        assert "reserved" in name_error, name_error
        ids_error = shown(chrome, "#save-watchlist-vendorIds-error")
        assert "ghost-vendor" in ids_error, ids_error
        until(chrome, lambda c: focused(c) == "save-watchlist-name", "focus on the name in error")

        # Found by name and added, beside one pasted.
        fill(chrome, "save-watchlist-vendorIds", "")
        fill(chrome, "save-watchlist-search", f"{WATCHED} K.K.")
        chrome.find_element(By.CSS_SELECTOR, ".find-vendor button").click()
        shown(chrome, f".found-vendors li[data-vendor='{WATCHED}'] button").strip()
        chrome.find_element(
            By.CSS_SELECTOR, f".found-vendors li[data-vendor='{WATCHED}'] button"
        ).click()
        until(
            chrome,
            lambda c: (
                c.find_element(By.ID, "save-watchlist-vendorIds").get_property("value") == WATCHED
            ),
            "the vendor found added to the list",
        )
        fill(chrome, "save-watchlist-name", "bidders 2026")
        chrome.find_element(By.CSS_SELECTOR, "#save-watchlist button[type=submit]").click()
        saved = shown(chrome, "tr[data-watchlist='bidders 2026']")
        assert WATCHED in saved and MINE in saved, saved
        assert {
            "agency": MINE,
            "name": "bidders 2026",
            "automatic": False,
            "vendorIds": [WATCHED],
        } in (embedded.client.data(WATCHLISTS)["watchlists"])
        screenshot(chrome, "watchlists-officer")

        # The alerts screen, open and live, shows the alert the list raises: no reload.
        chrome.find_element(
            By.CSS_SELECTOR, "tr[data-watchlist='bidders 2026'] td a[href*='alerts']"
        ).click()
        until(chrome, lambda c: "acknowledged=false" in c.current_url, "the agency's alerts")
        shown(chrome, ".live-connected")
        chrome.execute_script("window.notReloaded = true;")
        published(embedded, tmp_path, "watched-sanction", sanctioned(WATCHED, "city-alert-002"))
        arrived = shown(chrome, f"table.alerts tr[data-vendor='{WATCHED}']")
        assert chrome.execute_script("return window.notReloaded === true;")
        assert "bidders 2026" in arrived and "Barred" in arrived and "New" in arrived, arrived
        assert "A new alert" in chrome.find_element(By.CSS_SELECTOR, ".arrivals").text
        (raised,) = [a for a in alerts_of(embedded, MINE) if a["vendorId"] == WATCHED]
        assert (raised["change"], raised["watchlists"]) == ("BARRED", ["bidders 2026"])
        screenshot(chrome, "alerts-live")

        # Acknowledged meanwhile by someone else: refused above the button, saying who.
        owner = embedded.client.as_role(Role.SYSTEM_OWNER, (MINE,))
        try:
            receipt = owner.data(ACKNOWLEDGE, id=raised["alertId"])["acknowledgeAlert"]
            assert receipt["accepted"], receipt
        finally:
            owner.close()
        arrived_row = f"table.alerts tr[data-vendor='{WATCHED}']"
        chrome.find_element(By.CSS_SELECTOR, f"{arrived_row} details.acknowledge summary").click()
        chrome.find_element(By.CSS_SELECTOR, f"{arrived_row} button[type=submit]").click()
        refusal = shown(chrome, f"{arrived_row} .refusal")
        assert "This alert was already acknowledged" in refusal, refusal
        assert "test-system_owner" in refusal, refusal
