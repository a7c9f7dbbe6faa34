"""What the live `migrationProgress` feed says of each owner's change: words as a plan
version's causes give them (a tester's finding: "migration.plan_configured recorded" for a
settings change, "c13: data_migration_rehearsed passed" where the version read "check 'data
migration rehearsed' ticked")."""

from __future__ import annotations

import json
from typing import Any

from services.events.catalog import parse_event
from services.migration.api.graphql_progress import progress_of
from tests.support.event_examples import envelope

PLAN = "plan-1"


def _said(event_type: str, **payload: Any) -> list[str]:
    event = parse_event(json.dumps(envelope(event_type, {"plan_id": PLAN, **payload})))
    return progress_of(event).changes


def test_every_owners_change_is_said_in_the_versions_words() -> None:
    assert _said("migration.plan_configured", capacity=3, blackouts=[]) == [
        "plan settings changed: blackouts, capacity"
    ]
    assert _said("migration.item_configured", contract_id="c01", lead_time_months=4) == [
        "c01: lead_time_months changed"
    ]
    assert _said(
        "migration.checklist_updated", contract_id="c13", check="parallel_run_passed", passed=True
    ) == ["c13: check 'parallel run passed' ticked"]
    assert _said(
        "migration.checklist_updated",
        contract_id="c13",
        check="data_migration_rehearsed",
        passed=False,
    ) == ["c13: check 'data migration rehearsed' withdrawn"]
    assert _said(
        "migration.replacement_chosen",
        contract_id="c01",
        replacement_vendor_id="vendor-c",
        chosen_on="2022-07-10",
    ) == ["c01: replacement vendor-c chosen on 2022-07-10"]
    assert _said(
        "migration.item_status_changed",
        contract_id="c01",
        status="blocked",
        on="2022-08-01",
        note="vendor late",
    ) == ["c01: blocked on 2022-08-01 (vendor late)"]
