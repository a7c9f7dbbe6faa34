"""Evaluating eligibility for many vendors, pure domain (measured, not asserted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.sanction import SanctionKind
from services.registry.eligibility import Sanction, evaluate

START = dt.date(2022, 7, 9)


def _sanctions(vendor: int) -> list[Sanction]:
    return [
        Sanction(
            f"s-{vendor}-{n}",
            f"v-{vendor}",
            SanctionKind.BID_SUSPENSION,
            "City",
            START + dt.timedelta(days=60 * n),
            START + dt.timedelta(days=60 * n + 90),
            None,
            None,
        )
        for n in range(5)
    ]


def test_screen_1000_vendors(benchmark: Any) -> None:
    portfolio = {f"v-{i}": _sanctions(i) for i in range(1000)}
    day = dt.date(2022, 10, 1)

    def screen() -> int:
        return sum(evaluate(v, s, day).eligible for v, s in portfolio.items())

    # Every vendor has overlapping suspensions around that day: none may bid.
    assert benchmark(screen) == 0
