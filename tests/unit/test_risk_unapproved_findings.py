"""A finding of unapproved subcontracting stays on record (pure): incident e-i1 investigated on
2022-02-01 with unapproved subcontracting found, then again on 2022-03-01 with none found, lost
its 10 points from 2022-03-01, while the model says of the weight "no decay: the finding stays
on record" (a risk analyst's finding). A later investigation may add a finding, not erase one:
from `FIFTH_RULES_FROM`, for investigations the log records from then; one recorded before
replaces the finding, as live processing did, so a rebuild gives the scores given before."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.eventstore.later_rules import FIFTH_RULES_FROM
from services.risk.domain.fold import fold
from services.risk.domain.model import load_model
from services.risk.domain.scoring import score
from tests.support.event_examples import VALID_PAYLOADS, envelope

VENDOR = "vendor-b"
MODEL = load_model()
BEFORE_RULE = FIFTH_RULES_FROM - dt.timedelta(days=1)


def _event(event_type: str, **changes: object) -> EventEnvelope:
    payload = {**VALID_PAYLOADS[event_type], "incident_id": "e-i1", **changes}
    if event_type == "incident.reported":
        payload = {
            k: v for k, v in payload.items() if k not in ("contract_id", "caused_by_vendor_id")
        }
    found = envelope(event_type, payload, VENDOR) | {"event_id": str(uuid.uuid4())}
    return parse_event(json.dumps(found))


LOG = [
    _event("incident.reported", occurred_on="2022-01-10", reported_on="2022-01-11"),
    _event("incident.investigated", investigated_on="2022-02-01"),
    _event(
        "incident.investigated",
        investigated_on="2022-03-01",
        unapproved_subcontracting_found=False,
        control_failures=[],
    ),
]


def _unapproved(day: str, second_recorded: dt.datetime) -> tuple[float, list[str]]:
    recorded = {e.event_id: second_recorded for e in LOG}
    facts = fold(VENDOR, LOG, dt.date.fromisoformat(day), recorded)
    result = score(facts, dt.date.fromisoformat(day), MODEL, {})
    factor = result.factor("unapproved_subcontracting")
    if factor is None:
        return 0.0, []
    return factor.contribution, [e.note for e in factor.evidence]


def test_a_later_investigation_finding_none_does_not_erase_the_finding() -> None:
    recorded = FIFTH_RULES_FROM + dt.timedelta(hours=1)
    assert _unapproved("2022-02-15", recorded)[0] == 10.0
    points, notes = _unapproved("2022-03-01", recorded)
    assert points == 10.0
    # The finding keeps the day it was made, not the later investigation's.
    assert notes == [
        "investigation of incident e-i1 on 2022-02-01 found unapproved subcontracting: 10"
    ]


def test_investigations_recorded_before_the_rule_replace_the_finding_as_they_did() -> None:
    assert _unapproved("2022-02-15", BEFORE_RULE)[0] == 10.0
    assert _unapproved("2022-03-01", BEFORE_RULE) == (0.0, [])
