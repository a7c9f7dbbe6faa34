"""A factor as its items (pure): each item's raw points and evidence with its place in the
factor, summed, capped and rounded into the factor a score lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.risk.domain.risk_score import Evidence, Factor, round_points

# A factor's raw points (before rounding) and its evidence, each with a sort key (a day or its
# ISO text, which sort alike, and an id).
Item = tuple[tuple[str, str] | tuple[dt.date, str], float, Evidence]


def num(value: float) -> str:
    """A weight or multiplier as a note writes it (1.5, 2, 0.25: no trailing zeros)."""
    return f"{value:g}"


def factor(name: str, items: Iterable[Item], cap: float | None = None) -> Factor:
    """The factor of these items: in their order, their points summed, capped, rounded."""
    ordered = sorted(items, key=lambda item: item[0])
    total = sum(points for _, points, _ in ordered)
    if cap is not None:
        total = min(total, cap)
    return Factor(name, round_points(total), tuple(evidence for _, _, evidence in ordered))
