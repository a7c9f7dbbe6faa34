"""The GraphQL enums of closed sets the code defines as strings keep in step with those strings:
a stage or kind the enum did not know would fail every answer that shows it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from services.alerts.setup import CONSUMER_NAME as ALERTS
from services.events.contract import Criticality
from services.ingest.handlers import STAGE
from services.migration.api.graphql_enums import ReadinessCheck
from services.migration.domain import items
from services.migration.setup import CONSUMER_NAME as MIGRATION
from services.platform.graphql.processing import StageName
from services.registry.api.graphql_changes import ChangeKind
from services.registry.handlers import CONSUMER_NAME as REGISTRY
from services.risk.handlers import CONSUMER_NAME as RISK

ROOT = Path(__file__).resolve().parents[2]


def test_every_stage_is_ingest_or_a_service() -> None:
    assert {s.value for s in StageName} == {STAGE, REGISTRY, RISK, MIGRATION, ALERTS}


def test_registry_change_kinds_are_those_the_table_allows() -> None:
    sql = (ROOT / "services/registry/migrations/0001_vendors_and_sanctions.sql").read_text()
    allowed = re.search(
        r"kind\s+text NOT NULL CHECK \(kind IN \('identity', 'eligibility'\)\)", sql
    )
    assert allowed, "registry_changes.kind's CHECK changed: update ChangeKind"
    assert {k.value for k in ChangeKind} == {"identity", "eligibility"}


def test_readiness_checks_are_the_checklist_in_its_order() -> None:
    item = items.ItemState("c01", "Tax system", Criticality.INTERNAL, dt.date(2027, 3, 31))
    assert [c.value for c in ReadinessCheck] == list(items.checklist(item))
