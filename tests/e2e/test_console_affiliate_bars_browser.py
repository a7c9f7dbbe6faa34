"""A vendor barred only through an affiliate's sanction, on its console page in a real
Chromium against a real `vendorwatch up`: vp, parent of vx since ten days ago, is barred
through vx's sanction covering affiliates (begun a month ago), and vxsub, vx's subsidiary from
five days ahead, will be. Their pages said "No sanction on record." and drew no bar; they show
today's answer (barred, through which affiliate's sanction, from the bar's own first day, not
the sanction's), the bars on the calendar apart from the vendor's own, and the days it may
bid."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from services.platform.security.auth import Role
from tests.support import principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    console_chromium,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import envelope_now
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

SANCTION = "s-vx-1"


def recorded(system: System, tmp_path: Path, today: dt.date) -> dict[str, str]:
    """vp, vx and vxsub; vx suspended for 18 months from a month ago, its affiliates covered;
    vp its parent from ten days ago, vxsub its subsidiary from five days ahead."""
    days = {
        "sanction_start": (today - dt.timedelta(days=30)).isoformat(),
        "vp_from": (today - dt.timedelta(days=10)).isoformat(),
        "vxsub_from": (today + dt.timedelta(days=5)).isoformat(),
    }

    def parent(vendor_id: str, parent_id: str, effective_on: str) -> dict[str, Any]:
        payload = {
            "related_vendor_id": parent_id,
            "relation": "parent",
            "change": "added",
            "effective_on": effective_on,
        }
        return envelope_now("vendor.affiliation_changed", payload, vendor_id)

    sanction = {
        "sanction_id": SANCTION,
        "kind": "bid_suspension",
        "authority": "City procurement office",
        "decided_on": (today - dt.timedelta(days=31)).isoformat(),
        "starts_on": days["sanction_start"],
        "duration_months": 18,
        "grounds": ["breach_of_contract", "dishonest_conduct"],
        "serious": True,
        "covers_affiliates": True,
    }
    lines = [
        envelope_now("vendor.registered", {"legal_name": name}, vendor_id)
        for vendor_id, name in [("vp", "VP Holdings"), ("vx", "VX Systems"), ("vxsub", "VX Sub")]
    ]
    lines += [
        envelope_now("sanction.imposed", sanction, "vx"),
        parent("vx", "vp", days["vp_from"]),
        parent("vxsub", "vx", days["vxsub_from"]),
    ]
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    system.publish(events)
    query = """query ($id: ID!, $on: Date!) {
      bidEligibility(vendor: {vendorId: $id}, asOf: $on) { eligible }
    }"""

    def both_barred() -> bool:
        vp = system.client.data(query, id="vp", on=today.isoformat())
        vxsub = system.client.data(query, id="vxsub", on=days["vxsub_from"])
        return not vp["bidEligibility"]["eligible"] and not vxsub["bidEligibility"]["eligible"]

    wait_until(both_barred, "vp and vxsub barred through vx")
    return days


def test_a_vendor_barred_only_through_an_affiliate_shows_the_bar_on_its_page(
    embedded: System, tmp_path: Path
) -> None:
    today = dt.date.fromisoformat(embedded.client.data("query { today }")["today"])
    days = recorded(embedded, tmp_path, today)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.PROCUREMENT_OFFICER))
        shown(chrome, ".who")
        chrome.execute_script("location.hash = '#/vendor/vp';")
        until(chrome, lambda c: "vp" in shown(c, "main h2"), "vp's page")

        # Today's answer: barred, through vx's sanction (vx linked), from the day vp became
        # vx's parent, the sanction's own first day (twenty days before) said apart, with the
        # day it may bid again.
        answer = shown(chrome, ".eligibility-today")
        assert "barred from bidding" in answer, answer
        reason = shown(chrome, f".eligibility-today li[data-reason='{SANCTION}']")
        assert f"through vx's sanction {SANCTION}" in reason, reason
        period = shown(chrome, f".eligibility-today li[data-reason='{SANCTION}'] .bar-period")
        assert period.startswith(f"{days['vp_from']} – "), period
        assert period.endswith(f"(sanction from {days['sanction_start']})"), period
        link = chrome.find_element(By.CSS_SELECTOR, ".eligibility-today li a")
        assert link.text == "vx" and (link.get_attribute("href") or "").endswith("#/vendor/vx")
        assert "Eligible again on" in answer

        # No sanction of its own, but not "no sanction on record".
        sanctions = shown(chrome, "section[aria-labelledby=sanctions-title]")
        assert "No sanction on record." not in sanctions
        assert "No sanction imposed on this vendor itself" in sanctions
        # The calendar: a track for vx's sanction, drawn apart from the vendor's own, from
        # the bar's own first day; and the days before it when vp may bid.
        bar = chrome.find_element(By.CSS_SELECTOR, ".track.through[data-through=vx] .bar.barred")
        label = bar.get_attribute("aria-label") or ""
        assert label.startswith(f"{SANCTION} (through vx): {days['vp_from']} – "), label
        assert "through" in (bar.get_attribute("class") or "")
        assert chrome.find_elements(By.CSS_SELECTOR, ".track[data-sanction]") == []
        gaps = [
            g.get_attribute("aria-label")
            for g in chrome.find_elements(By.CSS_SELECTOR, ".track.gaps .bar.eligible")
        ]
        before = (dt.date.fromisoformat(days["vp_from"]) - dt.timedelta(days=1)).isoformat()
        assert gaps[0] == f"May bid: – {before}", gaps
        listed = shown(chrome, "ul.through li[data-through=vx]")
        assert f"through vx's sanction {SANCTION}" in listed and days["vp_from"] in listed
        screenshot(chrome, "vendor-barred-through-affiliate")

        # vxsub: eligible today, barred from the day its affiliation begins (ahead).
        chrome.execute_script("location.hash = '#/vendor/vxsub';")
        until(chrome, lambda c: "vxsub" in shown(c, "main h2"), "vxsub's page")
        answer = shown(chrome, ".eligibility-today")
        assert "may bid" in answer and "barred" not in answer, answer
        listed = shown(chrome, "ul.through li[data-through=vx]")
        assert f"through vx's sanction {SANCTION}" in listed and days["vxsub_from"] in listed
        bar = chrome.find_element(By.CSS_SELECTOR, ".track.through[data-through=vx] .bar.barred")
        assert (bar.get_attribute("aria-label") or "").startswith(
            f"{SANCTION} (through vx): {days['vxsub_from']} – "
        )

        # In Japanese too.
        in_japanese(chrome)
        until(chrome, lambda c: "関係会社 vx への措置" in shown(c, "ul.through"), "Japanese")
        assert_only_the_api_was_reached(chrome, embedded)
