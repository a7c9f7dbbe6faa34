"""An agency's running critical contracts on a day: the counters summed up to that day."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from services.risk.concentration import CriticalTotals

DAYS = st.dates(min_value=dt.date(1868, 1, 1), max_value=dt.date(2999, 12, 31))
CHANGES = st.lists(st.tuples(st.sampled_from(["市民課", "税務課"]), DAYS, st.integers(-3, 3)))


@given(CHANGES, CHANGES, DAYS)
def test_the_total_on_a_day_is_every_change_up_to_it(
    stored: list[tuple[str, dt.date, int]], later: list[tuple[str, dt.date, int]], day: dt.date
) -> None:
    totals = CriticalTotals()
    totals.load(["市民課", "税務課"], stored)
    increments: Counter[tuple[str, dt.date]] = Counter()
    for agency, when, delta in later:
        increments[(agency, when)] += delta
    totals.add(increments)
    on = totals.on(day)
    for agency in ("市民課", "税務課"):
        expected = sum(d for a, when, d in [*stored, *later] if a == agency and when <= day)
        assert on[agency] == expected
