"""The console's operations in a real browser on a closed network, against a real `vendorwatch
up`: a system owner reads the plans of its own agency only, the case's plan on its Gantt chart,
ticks a checklist item (the API records it and the chart counts it), is refused a suspended
replacement with its sanction, and sees another client's milestone arrive live; a sanction
authority proposes a suspension from the policy, is shown the receipt's field error at the
field, then imposes the suspension, which the vendor's page shows, and amends and lifts it.

Each page is checked by axe-core and saved as a screenshot under test-artifacts/console/, as in
test_console_browser.py, whose helpers these tests share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from services.platform.security.auth import Role
from tests.support import case_b, case_migration, principals
from tests.support.console_browser import (
    assert_only_the_api_was_reached,
    attribute,
    browser_clock_at,
    console_chromium,
    fill,
    fill_at_once,
    focused,
    in_japanese,
    origin,
    screenshot,
    shown,
    sign_in_with,
    slow_answers,
    until,
)
from tests.support.console_migration_case import (
    AGENCY,
    item,
    the_case_planned,
)
from tests.support.event_examples import envelope
from tests.support.migration_checks import (
    SUSPENDED_OTHER,
    operation,
    plan_of,
    publish_events,
)
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

VENDOR_D = "vendor-d"
NEW_SANCTION = "city-2022-007"
POLICY_AUTHORITY = "City procurement office"
DEBARRED = "vendor-debarred"  # barred with no last day: its calendar bar runs a year past today


def era(iso: str) -> str:
    """A day of the Reiwa era as the console writes it in Japanese (令和8年12月1日)."""
    day = dt.date.fromisoformat(iso)
    year = day.year - 2018
    return f"令和{'元' if year == 1 else year}年{day.month}月{day.day}日"


def fill_change(
    chrome: WebDriver, form: str, vendor_id: str, effective_on: str, reason: str
) -> None:
    """The fields an amendment and a lift of NEW_SANCTION share, once the page shows the form
    (a link's page renders after the click returns)."""
    shown(chrome, f"#{form}-vendorId")
    texts = {
        "vendorId": vendor_id,
        "payload-sanctionId": NEW_SANCTION,
        "payload-effectiveOn": effective_on,
        "payload-reason": reason,
    }
    fill_at_once(chrome, {f"{form}-{name}": text for name, text in texts.items()})


def sanction_of_d(system: System) -> dict[str, Any]:
    """Vendor D's one sanction as the API answers it: its last day and when it was lifted."""
    query = """query { vendor(vendorId: "vendor-d") {
      sanctions { edges { node { endsOn liftedOn } } } } }"""
    (edge,) = system.client.data(query)["vendor"]["sanctions"]["edges"]
    node: dict[str, Any] = edge["node"]
    return node


def test_a_system_owner_follows_its_plan_on_the_gantt_and_ticks_a_check(
    embedded: System, tmp_path: Path
) -> None:
    plan_id = the_case_planned(embedded, tmp_path)
    # Of an authority without a policy, which would refuse a debarment with no last day.
    debarment = case_b.suspended(
        DEBARRED, "pref-debar-1", kind="debarment", indefinite=True, authority="Prefecture"
    )
    del debarment["payload"]["duration_months"]
    publish_events(
        embedded.publish, tmp_path / "debarred.jsonl", case_b.another_vendor(DEBARRED), debarment
    )
    debarred = 'query { vendor(vendorId: "vendor-debarred") { sanctions { totalCount } } }'

    def debarments() -> int:
        vendor = embedded.client.data(debarred)["vendor"]
        return int(vendor["sanctions"]["totalCount"]) if vendor else 0

    wait_until(lambda: debarments() == 1, "the debarment")
    owner = principals.token(Role.SYSTEM_OWNER, agencies=(AGENCY,))
    # The registry's today (Tokyo's) and a browser whose clock reads 00:30 that day, when its
    # UTC day is still the day before: the chart and the calendar draw the registry's.
    today = dt.datetime.now(case_migration.TOKYO).date()
    midnight = dt.datetime.combine(today, dt.time(0, 30), case_migration.TOKYO)
    with console_chromium() as chrome:
        browser_clock_at(chrome, midnight)
        slow_answers(chrome)
        chrome.get(f"{origin(embedded)}/")
        shown(chrome, "#token")
        sign_in_with(chrome, owner)
        assert "system owner" in shown(chrome, ".who")
        nav = chrome.find_element(By.CSS_SELECTOR, "nav ul").text.splitlines()
        assert nav == [  # no sanction forms
            "Screening",
            "Vendors",
            "Risk board",
            "Incidents",
            "Migration plans",
            "Alerts",
            "Watchlists",
            "Event status",
        ]
        chrome.find_element(By.LINK_TEXT, "Migration plans").click()
        # Only its own agency's plan, though B has one at another agency too.
        until(chrome, lambda c: c.find_elements(By.CSS_SELECTOR, "tr[data-plan]"), "the plans")
        listed = chrome.find_elements(By.CSS_SELECTOR, "tr[data-plan]")
        assert [row.get_attribute("data-plan") for row in listed] == [plan_id]
        assert AGENCY in listed[0].text and "bid suspension" in listed[0].text
        screenshot(chrome, "migration-plans")

        chrome.find_element(By.LINK_TEXT, plan_id).click()
        rows = ".gantt g.row[data-contract]"
        until(chrome, lambda c: len(c.find_elements(By.CSS_SELECTOR, rows)) == 10, "the Gantt")
        planned = {i["contractId"]: i for i in plan_of(embedded.client, plan_id)["items"]}
        for contract_id, planned_item in planned.items():
            row = f".gantt g.row[data-contract='{contract_id}']"
            assert attribute(chrome, row, "data-phase") == planned_item["phaseLabel"]
        assert attribute(chrome, ".gantt .blackout", "data-blackout") == "tax"
        drawn_today = chrome.execute_script(
            "return document.querySelector('.gantt line.today title').textContent;"
        )
        assert drawn_today == f"Today {today.isoformat()}"
        # The plan's reason as the API gives it, which names the sanction's kind already.
        why = "query ($id: ID!) { migrationPlan(planId: $id) { reason } }"
        reason = embedded.client.data(why, id=plan_id)["migrationPlan"]["reason"]
        about = shown(chrome, "main > p")
        assert f"why: {reason}" in about and "bid suspension: bid suspension" not in about
        assert attribute(chrome, ".gantt g.row[data-contract='c01']", "data-checks") == "0/5"
        assert chrome.find_elements(By.CSS_SELECTOR, "ol.versions li[data-version]")
        until(
            chrome,
            lambda c: "on" in c.find_element(By.CSS_SELECTOR, ".live-connected").text,
            "live",
        )

        # A check ticked: shown ticked while its answer is awaited (each redraw put it back as
        # recorded, a tester's finding), the API records it, and the chart counts it.
        chrome.find_element(By.CSS_SELECTOR, "details[data-contract='c01'] summary").click()
        chrome.execute_script("window.slow = arguments[0];", "ConsoleTickCheck")
        chrome.find_element(By.ID, "check-c01-DATA_MIGRATION_REHEARSED").click()
        shown(chrome, "details[data-contract='c01'] .checklist .waiting")
        assert chrome.find_element(By.ID, "check-c01-DATA_MIGRATION_REHEARSED").is_selected()
        chrome.execute_script("window.slow = null;")
        c01 = ".gantt g.row[data-contract='c01']"
        until(chrome, lambda c: attribute(c, c01, "data-checks") == "1/5", "the check counted")
        checks = {e["check"]: e["passed"] for e in item(embedded, plan_id, "c01")["checklist"]}
        assert checks["DATA_MIGRATION_REHEARSED"] is True
        assert chrome.find_element(By.ID, "check-c01-DATA_MIGRATION_REHEARSED").is_selected()

        # A suspended replacement is refused at the field, with the sanction that bars it.
        chrome.find_element(By.ID, "replacement-c01-vendorId").send_keys(SUSPENDED_OTHER)
        replacement = "details[data-contract='c01'] form.replacement button[type=submit]"
        chrome.find_element(By.CSS_SELECTOR, replacement).click()
        error = shown(chrome, "#replacement-c01-vendorId-error")
        assert f"{SUSPENDED_OTHER} is not eligible" in error and "city-002" in error
        assert error.startswith("This vendor may not bid at this agency — ")  # its code's words
        assert "city-002" in shown(chrome, f"[data-barred-by='{SUSPENDED_OTHER}']")
        assert item(embedded, plan_id, "c01")["replacementVendorId"] is None
        screenshot(chrome, "migration-plan")

        # Another client's milestone arrives live (migrationProgress), and the chart shows it.
        started = embedded.client.data(
            operation("record-migration-milestone"),
            planId=plan_id,
            contractId="c02",
            status="IN_PROGRESS",
        )["recordMigrationMilestone"]
        assert started["accepted"], started
        c02 = ".gantt g.row[data-contract='c02']"
        until(chrome, lambda c: attribute(c, c02, "data-status") == "IN_PROGRESS", "c02 live")
        shown(chrome, ".live li[data-event-type='migration.item_status_changed']")

        # In Japanese: the labels, and the plan's day with its era date beside it.
        in_japanese(chrome)
        until(chrome, lambda c: "移行計画" in c.find_element(By.TAG_NAME, "nav").text, "ja")
        assert "スケジュール第" in shown(chrome, ".gantt figcaption")
        # The refusal's code in Japanese, before the API's own (English) details.
        refusal = shown(chrome, "#replacement-c01-vendorId-error")
        assert refusal.startswith("この事業者はこの機関の入札に参加できません — ")
        created = "query ($id: ID!) { migrationPlan(planId: $id) { createdOn } }"
        opened = embedded.client.data(created, id=plan_id)["migrationPlan"]["createdOn"]
        assert f"{opened} {era(opened)}" in shown(chrome, "main > p")
        screenshot(chrome, "migration-plan-ja")
        # The debarred vendor's calendar: its bar runs a year and a month past the registry's
        # today (the browser's UTC day is the day before).
        chrome.get(f"{origin(embedded)}/#/vendor/{DEBARRED}")
        ends = (today + dt.timedelta(days=395)).isoformat()
        assert shown(chrome, ".calendar figcaption").endswith(f"{ends} {era(ends)}")
        assert_only_the_api_was_reached(chrome, embedded)


def test_a_sanction_authority_proposes_is_shown_a_field_error_then_imposes_amends_lifts(
    embedded: System, tmp_path: Path
) -> None:
    publish_events(
        embedded.publish,
        tmp_path / "vendor.jsonl",
        envelope("vendor.registered", {"legal_name": "ディー工業株式会社"}, VENDOR_D),
    )
    registered = 'query { vendor(vendorId: "vendor-d") { vendorId } }'
    wait_until(lambda: embedded.client.data(registered)["vendor"] is not None, "vendor D")
    authority = principals.token(Role.SANCTION_AUTHORITY)
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        shown(chrome, "#token")
        sign_in_with(chrome, authority)
        assert "Sanctions" in shown(chrome, "nav ul").splitlines()
        chrome.find_element(By.LINK_TEXT, "Sanctions").click()

        # The policy's proposal: README's worked example, decided 2022-07-08, serious. The one
        # authority with a policy is chosen already; its grounds are offered with their ranges.
        shown(chrome, "#propose-grounds")
        authority_choice = Select(chrome.find_element(By.ID, "propose-authority"))
        assert authority_choice.first_selected_option.text == POLICY_AUTHORITY
        breach = chrome.find_element(By.CSS_SELECTOR, "label[for=propose-grounds-0]").text
        assert breach == "Breach of contract (1–9 months)"
        for code in ("breach_of_contract", "dishonest_conduct"):
            chrome.find_element(By.CSS_SELECTOR, f"#propose-grounds input[value={code}]").click()
        chrome.find_element(By.ID, "propose-serious").click()
        # A day that is none: refused at its field (it was shown above the form).
        fill(chrome, "propose-decidedOn", "2022-13-01")
        chrome.find_element(By.CSS_SELECTOR, "#propose button[type=submit]").click()
        assert "2022-13-01" in shown(chrome, "#propose-decidedOn-error")
        # The button, disabled while the answer was awaited, dropped focus to the page's body:
        # it goes to the field in error, which is read with its error.
        until(chrome, lambda c: focused(c) == "propose-decidedOn", "focus on the field in error")
        assert chrome.find_elements(By.CSS_SELECTOR, "#propose-title ~ .refusal") == []
        assert_only_the_api_was_reached(chrome, embedded, refused=1)  # the day refused
        fill(chrome, "propose-decidedOn", "令和4年7月8日")
        chrome.find_element(By.CSS_SELECTOR, "#propose button[type=submit]").click()
        assert case_b.SUSPENSION_START in shown(chrome, "[data-proposed=startsOn]")
        assert shown(chrome, "[data-proposed=range]") == "2 to 18 months"
        assert case_b.LAST_SUSPENDED_DAY in shown(chrome, "[data-proposed=lastDay]")
        assert shown(chrome, "[data-proposed=governingGround]") == "Breach of contract"

        # Into the form, with a first day before the decision: the receipt's error, at it.
        chrome.find_element(By.CSS_SELECTOR, ".proposal button").click()
        # The authority is offered (typed text stays possible) and the grounds come checked.
        suggested = chrome.find_elements(By.CSS_SELECTOR, "#impose-payload-authority-list option")
        assert [o.get_attribute("value") for o in suggested] == [POLICY_AUTHORITY]
        checked = chrome.find_elements(By.CSS_SELECTOR, "#impose-payload-grounds input:checked")
        assert [c.get_attribute("value") for c in checked] == [
            "breach_of_contract",
            "dishonest_conduct",
        ]
        assert (
            chrome.find_element(By.ID, "impose-payload-period-durationMonths").get_attribute(
                "value"
            )
            == "18"
        )
        chrome.find_element(By.ID, "impose-vendorId").send_keys(VENDOR_D)
        chrome.find_element(By.ID, "impose-payload-sanctionId").send_keys(NEW_SANCTION)
        # A day the API cannot read: the request is refused, the reason shown at the field.
        fill(chrome, "impose-payload-decidedOn", "令和4年2月30日")
        chrome.find_element(By.CSS_SELECTOR, "#impose button[type=submit]").click()
        unread = shown(chrome, "#impose-payload-decidedOn-error")
        assert "'令和4年2月30日': 2022-02 has no day 30" in unread
        fill(chrome, "impose-payload-decidedOn", "令和4年7月8日")
        fill(chrome, "impose-payload-startsOn", "2022-07-01")
        chrome.find_element(By.CSS_SELECTOR, "#impose button[type=submit]").click()
        error = shown(chrome, "#impose-payload-startsOn-error")
        assert error.startswith("Starts before the decision — ")
        assert "is before decided_on 2022-07-08" in error
        assert attribute(chrome, "#impose-payload-startsOn", "aria-invalid") == "true"
        described = attribute(chrome, "#impose-payload-startsOn", "aria-describedby") or ""
        assert "impose-payload-startsOn-error" in described.split()
        until(chrome, lambda c: focused(c) == "impose-payload-startsOn", "focus on the error")
        assert (
            embedded.client.data(
                'query { vendor(vendorId: "vendor-d") { sanctions { totalCount } } }'
            )["vendor"]["sanctions"]["totalCount"]
            == 0
        )
        screenshot(chrome, "sanction-field-error")

        # Corrected: imposed, applied by the registry, and on the vendor's page.
        fill(chrome, "impose-payload-startsOn", case_b.SUSPENSION_START)
        chrome.find_element(By.CSS_SELECTOR, "#impose button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#impose .accepted")
        until(chrome, lambda c: focused(c) == "impose-submit", "focus back on the button")
        assert chrome.find_elements(By.CSS_SELECTOR, "#impose-payload-startsOn-error") == []
        chrome.find_element(By.LINK_TEXT, f"See {VENDOR_D}'s page").click()
        sanction = shown(chrome, f"tr[data-sanction='{NEW_SANCTION}']")
        assert case_b.SUSPENSION_START in sanction and case_b.LAST_SUSPENDED_DAY in sanction
        bar = attribute(chrome, f".track[data-sanction='{NEW_SANCTION}'] .barred", "aria-label")
        assert bar == f"{NEW_SANCTION}: {case_b.SUSPENSION_START} – {case_b.LAST_SUSPENDED_DAY}"
        screenshot(chrome, "sanction-imposed-vendor")

        # Amended to twelve months, then lifted: each form's mutation reaches the registry.
        chrome.find_element(By.LINK_TEXT, "Sanctions").click()
        fill_change(chrome, "amend", VENDOR_D, "2022-08-01", "Reviewed: twelve months.")
        Select(chrome.find_element(By.ID, "amend-payload-period")).select_by_value("durationMonths")
        chrome.find_element(By.ID, "amend-payload-period-durationMonths").send_keys("12")
        chrome.find_element(By.CSS_SELECTOR, "#amend button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#amend .accepted")
        assert sanction_of_d(embedded) == {"endsOn": "2023-07-08", "liftedOn": None}
        fill_change(chrome, "lift", VENDOR_D, "2023-01-01", "Measures taken.")
        chrome.find_element(By.CSS_SELECTOR, "#lift button[type=submit]").click()
        assert "Recorded" in shown(chrome, "#lift .accepted")
        assert sanction_of_d(embedded)["liftedOn"] == "2023-01-01"
        assert_only_the_api_was_reached(chrome, embedded, refused=1)  # 令和4年2月30日
