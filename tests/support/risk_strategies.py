"""Hypothesis strategies for the risk service's pure parts: short logs of one vendor's events
about two items of each kind, dated in any order over two years, and days to ask about."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import strategies as st

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from tests.support.event_examples import envelope as wrap
from tests.support.event_examples import example

VENDOR = "vendor-b"
FIRST = dt.date(2022, 1, 1)


def _day(offset: int) -> str:
    return (FIRST + dt.timedelta(days=30 * offset)).isoformat()


def _payload(event_type: str, ref: str, d: int) -> dict[str, Any]:
    """A valid payload of that type about item `ref`, its dates around month `d`."""
    match event_type.split(".")[1]:
        case "reported":
            return example(event_type, incident_id=ref, occurred_on=_day(d), reported_on=_day(d))
        case "investigated":
            return example(event_type, incident_id=ref, investigated_on=_day(d))
        case "closed":
            return example(event_type, incident_id=ref, closed_on=_day(d))
        case "imposed":
            return example(event_type, sanction_id=ref, decided_on=_day(d), starts_on=_day(d + 1))
        case "amended" if event_type == "sanction.amended":
            return example(
                event_type,
                sanction_id=ref,
                effective_on=_day(d),
                duration_months=d % 5 + 1,
                categories=None,
            )
        case "lifted":
            return example(event_type, sanction_id=ref, effective_on=_day(d))
        case "filed":
            return example(event_type, claim_id=ref, filed_on=_day(d))
        case "settled":
            return example(event_type, claim_id=ref, settled_on=_day(d))
        case "awarded":
            return example(
                event_type,
                contract_id=ref,
                awarded_on=_day(d),
                starts_on=_day(d),
                ends_on=_day(d + 6),
            )
        case "amended":
            return example(event_type, contract_id=ref, effective_on=_day(d), ends_on=_day(d + 9))
        case "terminated":
            return example(event_type, contract_id=ref, terminated_on=_day(d))
        case "subcontract_requested":
            return example(
                event_type, subcontract_id=ref, parent_subcontract_id=None, requested_on=_day(d)
            )
        case "subcontract_approved":
            return example(event_type, subcontract_id=ref, approved_on=_day(d))
        case "subcontract_rejected":
            return example(event_type, subcontract_id=ref, rejected_on=_day(d))
        case _:
            return example(event_type, certificate_id=ref, submitted_on=_day(d))


EVENT_TYPES = (
    "incident.reported",
    "incident.investigated",
    "incident.closed",
    "sanction.imposed",
    "sanction.amended",
    "sanction.lifted",
    "claim.filed",
    "claim.settled",
    "contract.awarded",
    "contract.amended",
    "contract.terminated",
    "contract.subcontract_requested",
    "contract.subcontract_approved",
    "contract.subcontract_rejected",
    "certificate.submitted",
)


@st.composite
def events(draw: st.DrawFn) -> EventEnvelope:
    """One event about one of two items of its kind, dated in one of 24 months (any order)."""
    event_type = draw(st.sampled_from(EVENT_TYPES))
    payload = _payload(event_type, draw(st.sampled_from(["x", "y"])), draw(st.integers(0, 23)))
    return parse_event(json.dumps(wrap(event_type, payload, VENDOR), ensure_ascii=False))


logs = st.lists(events(), max_size=25)
days = st.integers(-1, 30).map(lambda n: FIRST + dt.timedelta(days=30 * n + 15))
