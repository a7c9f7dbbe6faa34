"""Folding a vendor's events into risk facts: the same rules as the registry for sanctions,
and terminations that stay final."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.risk.domain.fold import fold
from tests.support import case_b, case_risk
from tests.support.event_examples import envelope

D = dt.date


def _events(*raw: dict[str, Any]) -> list[EventEnvelope]:
    return [parse_event(json.dumps(e, ensure_ascii=False)) for e in raw]


def _last_day(*raw: dict[str, Any], as_of: dt.date) -> dt.date | None:
    facts = fold(case_b.VENDOR, _events(*raw), as_of)
    return facts.sanctions["city-2022-001"].last_day


def test_a_lift_is_final_even_if_an_amendment_follows() -> None:
    last = _last_day(
        case_b.suspended(),
        case_b.lifted("2023-01-01"),
        case_b.amended(effective_on="2023-02-01", duration_months=24),
        as_of=D(2023, 3, 1),
    )
    assert last == D(2022, 12, 31)


def test_amendments_apply_by_effective_date_not_by_arrival() -> None:
    last = _last_day(
        case_b.suspended(),
        case_b.amended(effective_on="2023-06-01", duration_months=9),
        case_b.amended(effective_on="2023-03-01", duration_months=24),  # recorded later
        as_of=D(2023, 7, 1),
    )
    assert last == D(2023, 4, 8)  # the 9 months, effective last


def test_an_amendment_does_not_revive_a_terminated_contract() -> None:
    terminated = envelope(
        "contract.terminated",
        {"contract_id": case_risk.CONTRACT, "terminated_on": "2023-01-31", "reason": "cancelled"},
    )
    amended = envelope(
        "contract.amended",
        {
            "contract_id": case_risk.CONTRACT,
            "effective_on": "2023-02-01",
            "ends_on": "2027-03-31",
            "reason": "Extension agreed before the cancellation.",
        },
    )
    facts = fold(case_b.VENDOR, _events(case_risk.contract(), terminated, amended), D(2023, 3, 1))
    assert facts.contracts[case_risk.CONTRACT].ends_on == D(2023, 1, 31)
