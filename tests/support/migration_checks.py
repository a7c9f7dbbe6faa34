"""Issue 5's acceptance through GraphQL over HTTP and WebSocket, against either mode, with the
system owner's operations from graphql/operations/."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from typing import Any

from services.migration.planning.export_csv import read_plan_csv
from tests.support import case_b, case_migration
from tests.support.case_migration import CONTRACTS, FORCED, VENDOR
from tests.support.processes import GraphQLClient, Publish, wait_until
from tests.support.subscriptions import subscribe

TOKYO = case_migration.TOKYO
OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"
REPLACEMENT, SUSPENDED_OTHER = "vendor-c", "vendor-x"


def operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


def publish_events(publish: Publish, path: Path, *events: dict[str, Any]) -> None:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n")
    publish(path)


def suspension_from_today(vendor_id: str, sanction_id: str) -> dict[str, Any]:
    today = dt.datetime.now(TOKYO).date()
    return case_b.suspended(
        vendor_id,
        sanction_id,
        decided_on=(today - dt.timedelta(days=1)).isoformat(),
        starts_on=today.isoformat(),
    )


def plan_of(client: GraphQLClient, plan_id: str) -> dict[str, Any]:
    plan: dict[str, Any] = client.data(operation("migration-plan"), planId=plan_id)["migrationPlan"]
    return plan


def violations(plan: dict[str, Any]) -> list[str]:
    """Every constraint of the case checked on the API's answer (not by the solver)."""
    items = {i["contractId"]: i for i in plan["items"]}
    settings = plan["settings"]
    phases = {p["index"]: p for p in plan["phases"]}
    found = []
    for contract_id, item in items.items():
        for dependency in item["dependsOn"]:
            if item["phase"] <= items[dependency]["phase"]:
                found.append(f"{contract_id} does not move after {dependency}")
        if item["phaseLabel"] < item["naturalPhaseLabel"]:
            found.append(f"{contract_id} cut over before its contract ends")
        phase = phases[item["phase"]]
        for blackout in settings["blackouts"]:
            if phase["startsOn"] <= blackout["endsOn"] and blackout["startsOn"] <= phase["endsOn"]:
                found.append(f"{contract_id} cuts over in the blackout {blackout['reason']}")
    for index, count in Counter(i["phase"] for i in items.values()).items():
        if count > settings["capacity"]:
            found.append(f"phase {index} holds {count} cut-overs")
    return found


def _scheduled_as_the_case(client: GraphQLClient, plan_id: str) -> bool:
    plan = plan_of(client, plan_id)
    phases = {i["contractId"]: i["phase"] for i in plan["items"]}
    return plan["upToDate"] and all(phases[c] == p for c, p in FORCED.items())


def check_migration_case(client: GraphQLClient, publish: Publish, work: Path) -> None:
    start = dt.datetime.now(TOKYO).date().replace(day=1)
    publish_events(
        publish,
        work / "case.jsonl",
        *[case_b.another_vendor(v) for v in (VENDOR, REPLACEMENT, SUSPENDED_OTHER)],
        *case_migration.contracts(start),
        suspension_from_today(VENDOR, "city-001"),
        suspension_from_today(SUSPENDED_OTHER, "city-002"),
    )

    def plans() -> list[dict[str, Any]]:
        page = client.data(operation("migration-plans"), vendorId=VENDOR)["migrationPlans"]
        return [edge["node"] for edge in page["edges"]]

    wait_until(lambda: len(plans()) == 1 and plans()[0]["solver"] is not None, "B's plan")
    plan_id = plans()[0]["planId"]
    assert plans()[0]["trigger"] == "SUSPENSION" and "city-001" in plans()[0]["reason"]
    assert len(plans()[0]["items"]) == len(CONTRACTS)

    # The system owner sets the plan up: capacity, the blackout, no early termination, and
    # which systems must move after which.
    blackout = case_migration.blackout(start)
    settings = {
        "capacity": 2,
        "earlyCutover": "FORBID",
        "blackouts": [
            {
                "startsOn": blackout["starts_on"],
                "endsOn": blackout["ends_on"],
                "reason": "tax-filing season",
            }
        ],
    }
    client.data(operation("configure-migration-plan"), planId=plan_id, settings=settings)
    for contract in CONTRACTS:
        if contract.depends_on:
            client.data(
                operation("configure-migration-item"),
                planId=plan_id,
                contractId=contract.contract_id,
                item={"dependsOn": list(contract.depends_on)},
            )
    wait_until(lambda: _scheduled_as_the_case(client, plan_id), "the case's schedule")
    plan = plan_of(client, plan_id)
    assert plan["solver"]["status"] == "OPTIMAL"
    assert violations(plan) == []
    for item in plan["items"]:
        forced = item["contractId"] in FORCED
        assert (item["phaseLabel"] != item["naturalPhaseLabel"]) == forced, item
        assert bool(item["reasons"]) == forced, item

    _check_replacements(client, publish, work, plan_id)
    _check_done_needs_the_checklist(client, plan_id)
    _check_exports(client, plan)
    deadline = _check_infeasible_is_explained(client, plan_id, start)
    _check_a_change_keeps_the_days_it_leaves_out(client, plan_id, deadline)


def _check_replacements(client: GraphQLClient, publish: Publish, work: Path, plan_id: str) -> None:
    choose = operation("choose-replacement-vendor")
    refused = client.data(choose, planId=plan_id, contractId="c01", vendorId=SUSPENDED_OTHER)
    answer = refused["chooseReplacementVendor"]
    assert not answer["accepted"]
    (error,) = answer["errors"]
    assert error["field"] == "vendorId"
    assert "vendor-x is not eligible" in error["message"] and "city-002" in error["message"]

    client.data(choose, planId=plan_id, contractId="c01", vendorId=REPLACEMENT)
    wait_until(
        lambda: (
            {i["contractId"]: i for i in plan_of(client, plan_id)["items"]}["c01"][
                "replacementVendorId"
            ]
            == REPLACEMENT
        ),
        "the replacement recorded",
    )
    with subscribe(client.url, operation("migration-progress"), planId=plan_id) as progress:
        publish_events(
            publish, work / "replacement.jsonl", suspension_from_today(REPLACEMENT, "city-003")
        )
        # Earlier changes (the replacement chosen) may still be re-planned first.
        while True:
            update = progress.next_payload(timeout=30)["migrationProgress"]
            if update["eventType"] == "migration.plan_scheduled" and any(
                REPLACEMENT in line and "no longer eligible" in line for line in update["changes"]
            ):
                break
    c01 = {i["contractId"]: i for i in plan_of(client, plan_id)["items"]}["c01"]
    assert "city-003" in c01["replacementProblem"]
    assert any(REPLACEMENT in b for b in c01["blockers"])
    assert {"check": "REPLACEMENT_CHOSEN_AND_ELIGIBLE", "passed": False} in c01["checklist"]
    # Not cut over to vendor-c while it is suspended (18 months from today), and said so.
    today = dt.datetime.now(TOKYO).date()
    free = case_migration.month(today, 18)
    assert c01["phaseLabel"] == free.strftime("%Y-%m"), c01
    assert c01["reasons"] == [
        f"replacement {REPLACEMENT} barred here until {free - dt.timedelta(days=1)}:"
        f" not before {free.strftime('%Y-%m')}"
    ]


def _check_done_needs_the_checklist(client: GraphQLClient, plan_id: str) -> None:
    answer = client.data(
        operation("record-migration-milestone"), planId=plan_id, contractId="c02", status="DONE"
    )["recordMigrationMilestone"]
    # With the items it moves after not done yet, which is said beside it.
    (error,) = [e for e in answer["errors"] if e["code"] == "checklist_incomplete"]
    assert error["field"] == "status" and "checklist incomplete" in error["message"]


def _check_exports(client: GraphQLClient, plan: dict[str, Any]) -> None:
    table = client.get(plan["csvUrl"])
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert table.content.startswith(codecs.BOM_UTF8)  # for spreadsheets reading Japanese
    rows = read_plan_csv(table.text)
    assert sorted(r["contract_id"] for r in rows) == sorted(c.contract_id for c in CONTRACTS)
    chart = client.get(plan["ganttUrl"])
    assert chart.headers["content-type"] == "image/svg+xml"
    assert ElementTree.fromstring(chart.text).tag.endswith("svg")
    assert all(c.contract_id in chart.text for c in CONTRACTS)


def _check_infeasible_is_explained(client: GraphQLClient, plan_id: str, start: dt.date) -> str:
    # c01, c02 and c03 end together: a deadline at the end of their natural month cannot be
    # met by c01, whose replacement is suspended until long after it.
    deadline = (case_migration.month(start, 4) - dt.timedelta(days=1)).isoformat()
    for contract_id in ("c01", "c02", "c03"):
        client.data(
            operation("configure-migration-item"),
            planId=plan_id,
            contractId=contract_id,
            item={"deadlineOn": deadline},
        )

    def solver() -> dict[str, Any]:
        report: dict[str, Any] = plan_of(client, plan_id)["solver"]
        return report

    wait_until(lambda: solver()["status"] == "INFEASIBLE", "the infeasible plan")
    conflicts = solver()["conflicts"]
    assert len(conflicts) == 2, conflicts
    assert f"(replacement {REPLACEMENT} barred here until" in conflicts[0], conflicts
    assert conflicts[1] == f"c01 must cut over by {deadline} (deadline)", conflicts
    return deadline


def _check_a_change_keeps_the_days_it_leaves_out(
    client: GraphQLClient, plan_id: str, deadline: str
) -> None:
    # Through the log (and Kafka, in distributed mode) the event keeps only what was given:
    # a lead time changed later leaves c01's deadline as it was.
    client.data(
        operation("configure-migration-item"),
        planId=plan_id,
        contractId="c01",
        item={"leadTimeMonths": 1},
    )

    def c01() -> dict[str, Any]:
        items = plan_of(client, plan_id)["items"]
        item: dict[str, Any] = next(i for i in items if i["contractId"] == "c01")
        return item

    wait_until(lambda: c01()["leadTimeMonths"] == 1, "c01's new lead time")
    assert c01()["deadlineOn"] == deadline
