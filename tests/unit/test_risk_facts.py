"""Folding a vendor's events into risk facts: the same rules as the registry for sanctions
(a lift or an amendment recorded ahead gives the end it makes, in the factors' notes too),
and terminations that stay final."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.risk.domain.fold import fold
from services.risk.domain.model import load_model
from services.risk.domain.scoring import score
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


def _sanction_factors(*raw: dict[str, Any], as_of: dt.date) -> dict[str, tuple[float, str]]:
    """The sanction factors' points and notes on `as_of`, scored from `raw`."""
    facts = fold(case_b.VENDOR, _events(*raw), as_of)
    scored = score(facts, as_of, load_model(), {})
    return {
        f.name: (f.contribution, " | ".join(e.note for e in f.evidence))
        for f in scored.factors
        if f.name in ("active_sanctions", "recent_sanctions")
    }


def test_a_lift_recorded_ahead_ends_the_sanction_then_on_every_day_before_it() -> None:
    # The 18-month suspension runs to 2024-01-08; a lift from 2023-01-15 is recorded in
    # December: from then on the sanction ends 2023-01-14, as eligibility, the plans and the
    # alerts already say, on its last day as on any day before. The points do not move: it
    # is in force until then, and recent after.
    events = (case_b.suspended(), case_b.lifted("2023-01-15"))
    for day in (D(2022, 12, 1), D(2023, 1, 14)):
        assert _last_day(*events, as_of=day) == D(2023, 1, 14)
        assert _sanction_factors(*events, as_of=day) == {
            "active_sanctions": (
                30.0,
                "bid_suspension city-2022-001 in force from 2022-07-09 to 2023-01-14: 30",
            )
        }
    assert _sanction_factors(*events, as_of=D(2023, 1, 15)) == {
        "recent_sanctions": (
            10.0,
            "bid_suspension city-2022-001 in force 2022-07-09 to 2023-01-14, ended 1 day ago: 10",
        )
    }


def test_an_amendment_recorded_ahead_gives_the_end_it_makes() -> None:
    # Shortened to 9 months (to 2023-04-08) from 2023-03-01; lengthened to 24 months (to
    # 2024-07-08) from 2023-06-01: before either takes effect, the end is the one they make.
    shortened = (case_b.suspended(), case_b.amended(effective_on="2023-03-01", duration_months=9))
    assert _last_day(*shortened, as_of=D(2022, 12, 1)) == D(2023, 4, 8)
    lengthened = (
        case_b.suspended(),
        case_b.amended(
            effective_on="2023-06-01", duration_months=24, policy_override_reason="review"
        ),
    )
    assert _last_day(*lengthened, as_of=D(2022, 12, 1)) == D(2024, 7, 8)
    # Not in force on the day (ended, or not begun): its end as it stands that day.
    assert _last_day(*shortened, as_of=D(2023, 5, 1)) == D(2023, 4, 8)
