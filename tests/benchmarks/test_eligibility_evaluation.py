"""Evaluating eligibility for many vendors, pure domain (measured, not asserted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.sanction import SanctionKind
from services.registry.domain import sanction_timeline
from services.registry.domain.eligibility import Exposure, evaluate

START = dt.date(2022, 7, 9)


def _exposures(vendor: int) -> list[Exposure]:
    return [
        Exposure(
            sanction_timeline.build(
                sanction_id=f"s-{vendor}-{n}",
                vendor_id=f"v-{vendor}",
                kind=SanctionKind.BID_SUSPENSION,
                authority="City",
                decided_on=START,
                starts_on=START + dt.timedelta(days=60 * n),
                imposed={"duration_days": 90},
            )
        )
        for n in range(5)
    ]


def test_screen_1000_vendors(benchmark: Any) -> None:
    portfolio = {f"v-{i}": _exposures(i) for i in range(1000)}
    day = dt.date(2022, 10, 1)

    def screen() -> int:
        return sum(evaluate(v, e, day).eligible for v, e in portfolio.items())

    # Every vendor has overlapping suspensions around that day: none may bid.
    assert benchmark(screen) == 0
