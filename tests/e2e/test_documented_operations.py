"""Every operation in graphql/operations/ runs successfully against a running system, signed in
as the user its header names, over real HTTP and (subscriptions) real WebSockets. The system
is seeded through those same operations: vendor B's case (README.md, "Worked example"),
dated from today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from services.platform.security.auth import Role
from tests.support import case_migration
from tests.support.case_migration import AGENCY, TOKYO, VENDOR
from tests.support.event_examples import VALID_PAYLOADS, graphql_input, sanction_input
from tests.support.migration_checks import OPERATIONS, operation, publish_events
from tests.support.principals import token
from tests.support.processes import GraphQLClient, System, wait_until
from tests.support.subscriptions import subscribe

pytestmark = pytest.mark.postgres

REPLACEMENT = "vendor-c"


class Runner:
    """Runs documented operations as one role or another, remembering which it ran."""

    def __init__(self, client: GraphQLClient) -> None:
        self.client = client
        self.ran: set[str] = set()

    def __call__(self, name: str, role: Role, /, **variables: Any) -> dict[str, Any]:
        # Positional only: an operation may have a variable called `name` (saveWatchlist).
        agencies = (AGENCY,) if role is Role.SYSTEM_OWNER else ()
        as_role = self.client.as_role(role, agencies)
        try:
            data = as_role.data(operation(name), **variables)
        finally:
            as_role.close()
        self.ran.add(name)
        for answer in data.values():
            # A mutation's receipt must say it was accepted (and, when waited for, applied).
            if isinstance(answer, dict) and "accepted" in answer:
                assert answer["accepted"], (name, answer["errors"])
                assert not (answer.get("processing") or {}).get("deadLetters"), (name, answer)
        return data

    def subscribed(self, name: str, role: Role, **variables: Any) -> Any:
        self.ran.add(name)
        agencies = (AGENCY,) if role is Role.SYSTEM_OWNER else ()
        return subscribe(self.client.url, operation(name), token=token(role, agencies), **variables)


def test_every_documented_operation_runs(embedded: System, tmp_path: Path) -> None:
    run = Runner(embedded.client)
    today = dt.datetime.now(TOKYO).date()
    start, yesterday = today.replace(day=1), today - dt.timedelta(days=1)
    officer, authority, owner = Role.PROCUREMENT_OFFICER, Role.SANCTION_AUTHORITY, Role.SYSTEM_OWNER

    registered = run(
        "register-vendor",
        officer,
        vendorId=VENDOR,
        vendor=graphql_input(VALID_PAYLOADS["vendor.registered"]),
    )["registerVendor"]
    assert registered["processing"]["pending"] == []
    run("register-vendor", officer, vendorId=REPLACEMENT, vendor={"legalName": "C Systems K.K."})
    first, *others = case_migration.contracts(start)
    run("submit-event", Role.ADMIN, event=first, wait=True)
    replacement_contract = case_migration.awarded(start, case_migration.CONTRACTS[0])
    replacement_contract["vendor_id"] = REPLACEMENT
    replacement_contract["payload"] |= {"contract_id": "c-tax-1", "agency": "税務課"}
    publish_events(embedded.publish, tmp_path / "contracts.jsonl", *others, replacement_contract)

    suspension = sanction_input(VALID_PAYLOADS["sanction.imposed"]) | {
        # Decided yesterday (an era date), in force from today, as the policy's start rule says.
        "decidedOn": f"令和{yesterday.year - 2018}年{yesterday.month}月{yesterday.day}日",
        "startsOn": today.isoformat(),
        "kind": "BID_SUSPENSION",
    }
    corporate = {"scheme": "corporate_number", "value": "7000012050002"}
    watched = {"name": "bidders", "vendorIds": [REPLACEMENT], "identifiers": [corporate]}
    run("save-watchlist", officer, agency="税務課", **watched)
    with (
        run.subscribed("eligibility-changes", Role.VIEWER, vendorIds=[VENDOR]) as eligibility,
        run.subscribed("risk-updates", Role.RISK_ANALYST, vendorIds=[VENDOR]) as risk,
        run.subscribed("alerts-raised", owner, agency=AGENCY) as alerted,
    ):
        imposed = run("impose-sanction", authority, vendorId=VENDOR, sanction=suspension)
        assert eligibility.next_payload(timeout=30)["eligibilityChanges"]["eligible"] is False
        assert risk.next_payload(timeout=30)["riskUpdates"]["vendorId"] == VENDOR
        # B's contracts with the agency put it on the agency's automatic watchlist.
        alert = alerted.next_payload(timeout=30)["alerts"]
        assert (alert["vendorId"], alert["change"]) == (VENDOR, "BARRED")
    # The other agency watches B through the list it saved (B by its corporate number).
    others = run("alerts", officer, agency="税務課")["alerts"]["edges"]
    assert [e["node"]["watchlists"] for e in others] == [["bidders"]]
    pending = run("alerts", owner, agency=AGENCY)["alerts"]
    # The same alert, live and listed: one global id (for caches), one alertId (to act on).
    assert [(e["node"]["id"], e["node"]["alertId"]) for e in pending["edges"]] == [
        (alert["id"], alert["alertId"])
    ]
    run("acknowledge-alert", owner, alertId=alert["alertId"], note="Contract review started.")

    def plans() -> list[dict[str, Any]]:
        page = run("migration-plans", owner, agency=AGENCY)["migrationPlans"]
        return [edge["node"] for edge in page["edges"] if edge["node"]["solver"]]

    wait_until(lambda: bool(plans()), "B's migration plan")
    plan_id = plans()[0]["planId"]
    with run.subscribed("migration-progress", owner, planId=plan_id) as progress:
        settings = {"capacity": 2, "blackouts": [graphql_input(case_migration.blackout(start))]}
        run("configure-migration-plan", owner, planId=plan_id, settings=settings)
        assert progress.next_payload(timeout=30)["migrationProgress"]["eventType"].startswith(
            "migration."
        )
    item = {"dependsOn": ["c04"]}
    run("configure-migration-item", owner, planId=plan_id, contractId="c05", item=item)
    run("choose-replacement-vendor", owner, planId=plan_id, contractId="c01", vendorId=REPLACEMENT)
    check = {"check": "PARALLEL_RUN_PASSED", "passed": True}
    run("update-migration-checklist", owner, planId=plan_id, contractId="c01", **check)
    run("record-migration-milestone", owner, planId=plan_id, contractId="c01", status="IN_PROGRESS")
    wait_until(
        lambda: run("migration-plan", owner, planId=plan_id)["migrationPlan"]["upToDate"],
        "the plan re-planned",
    )
    versions = run("migration-plan-versions", owner, planId=plan_id)["migrationPlan"]["versions"]
    assert versions["totalCount"] >= 2
    # By hand, for a vendor with no sanction (C's own contract at another agency).
    manual = {"vendorId": REPLACEMENT, "agency": "税務課", "reason": "Watch list.", "planId": "p-c"}
    run("create-migration-plan", Role.ADMIN, **manual)
    wait_until(
        lambda: run("migration-plan", Role.ADMIN, planId="p-c")["migrationPlan"] is not None,
        "the plan opened by hand",
    )
    # Another agency's plan is refused to a system owner in the words of a plan unknown: that
    # it exists, and whose it is, are not the owner's to learn.
    as_owner = embedded.client.as_role(owner, (AGENCY,))
    try:
        for unseen in ("p-c", "p-none"):
            answer = as_owner.data(
                operation("update-migration-checklist"), planId=unseen, contractId="c01", **check
            )
            errors = answer["updateMigrationChecklist"]["errors"]
            assert errors == [
                {"field": "planId", "message": f"no plan {unseen!r} of your agencies"}
            ], errors
    finally:
        as_owner.close()
    # Nothing bars vendor C there: the plan opened by hand may be withdrawn.
    withdrawal = {"planId": "p-c", "reason": "Its risk is no longer critical."}
    run("withdraw-migration-plan", Role.ADMIN, **withdrawal)
    assert run("migration-plan", Role.ADMIN, planId="p-c")["migrationPlan"]["status"] == (
        "WITHDRAWN"
    )

    answer = run("bid-eligibility", officer, vendorId=VENDOR, asOf=today.isoformat())
    assert answer["bidEligibility"]["eligible"] is False
    run("bid-eligibility-many", officer, vendorIds=[VENDOR, REPLACEMENT], asOf=today.isoformat())
    bidders = [
        {"ref": "line 1", "identifier": corporate},
        {"ref": "line 2", "name": "びーしすてむ", "country": "JP", "address": "東京都港区"},
    ]
    listed = run("screen-bidder-list", officer, bidders=bidders, asOf=today.isoformat())
    assert [b["status"] for b in listed["screenBidders"]] == ["BARRED", "POSSIBLE_MATCH"]
    # The officer confirms line 2 is vendor B: the next screening answers it as B.
    review = {
        "decision": "CONFIRMED",
        "bidderName": "びーしすてむ",
        "bidderAddress": "東京都港区",
        "bidderCountry": "JP",
        "reason": "Same address and representative as vendor B in the commercial register.",
    }
    run("review-match", officer, vendorId=VENDOR, review=review)
    again = run("screen-bidder-list", officer, bidders=bidders, asOf=today.isoformat())
    line_2 = again["screenBidders"][1]
    assert (line_2["status"], line_2["vendorId"]) == ("BARRED", VENDOR)
    assert [r["decision"] for r in line_2["reviews"]] == ["CONFIRMED"]
    known = dt.datetime.now(TOKYO).isoformat()
    run(
        "eligibility-as-known", officer, identifier=corporate, asOf=today.isoformat(), knownAt=known
    )
    assert run("find-vendor", Role.VIEWER, search="ビーシステム")["vendors"]
    assert run("vendor", Role.VIEWER, vendorId=VENDOR)["vendor"]
    proposal = {
        "authority": "City procurement office",
        "grounds": ["breach_of_contract"],
        "serious": True,
        "decidedOn": "令和4年7月8日",
    }
    run("propose-suspension", authority, **proposal)
    run("registry-changes", Role.VIEWER)
    run("risk-history", Role.RISK_ANALYST, vendorId=VENDOR)
    run("risk-score", Role.RISK_ANALYST, vendorId=VENDOR)
    run("riskiest-vendors", Role.RISK_ANALYST, agency=AGENCY)
    run("event-status", Role.ADMIN, eventId=imposed["imposeSanction"]["eventId"])
    timeline = run("vendor-timeline", Role.AUDITOR, vendorId=VENDOR)["events"]
    assert timeline["totalCount"] >= 12
    # The services that refused each event, as README says the auditor's timeline gives them.
    assert all(edge["node"]["refusedBy"] == [] for edge in timeline["edges"])
    trail = run("audit-trail", Role.AUDITOR)["auditTrail"]
    assert {e["node"]["recordedBy"]["role"] for e in trail["edges"]} >= {
        "PROCUREMENT_OFFICER",
        "SANCTION_AUTHORITY",
        "SYSTEM_OWNER",
    }
    run("dead-letters", Role.AUDITOR)
    run("import-reports", Role.SANCTION_AUTHORITY)
    records = run("vendor-records", Role.AUDITOR, vendorId=VENDOR, activeOn=today.isoformat())[
        "vendor"
    ]
    assert records["contracts"]["totalCount"] == len(case_migration.CONTRACTS)
    assert records["sanctions"]["edges"][0]["node"]["startsOn"] == today.isoformat()
    listed = run("registered-vendors", Role.VIEWER, today=today.isoformat())["registeredVendors"]
    assert listed["totalCount"] == 2
    running = run("contracts", owner, agency=AGENCY, activeOn=today.isoformat())["contracts"]
    assert running["totalCount"] == len(case_migration.CONTRACTS)
    in_force = run("sanctions", authority, activeOn=today.isoformat())["sanctions"]
    assert [e["node"]["vendorId"] for e in in_force["edges"]] == [VENDOR]

    sanction_id = VALID_PAYLOADS["sanction.imposed"]["sanction_id"]
    amendment = {
        "sanctionId": sanction_id,
        "effectiveOn": today.isoformat(),
        "categories": ["information_systems"],
        "reason": "Scope limited on review.",
    }
    run("amend-sanction", authority, vendorId=VENDOR, amendment=amendment)
    lift = {
        "sanctionId": sanction_id,
        "effectiveOn": (today + dt.timedelta(days=30)).isoformat(),
        "reason": "Lifted on appeal.",
    }
    run("lift-sanction", authority, vendorId=VENDOR, lift=lift)

    documented = {path.stem for path in OPERATIONS.glob("*.graphql")}
    assert run.ran == documented, f"not run: {sorted(documented - run.ran)}"
