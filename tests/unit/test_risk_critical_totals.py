"""An agency's running critical contracts on a day: the counters summed up to that day."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from services.risk.domain.concentration import CriticalTotals, StoredTotals

AGENCIES = ("市民課", "税務課")
DAYS = st.dates(min_value=dt.date(1868, 1, 1), max_value=dt.date(2999, 12, 31))
CHANGES = st.lists(st.tuples(st.sampled_from(AGENCIES), DAYS, st.integers(-3, 3)))


def _stored(changes: list[tuple[str, dt.date, int]], agency: str) -> StoredTotals:
    """The agency's counters summed up to each day, as `repository.critical_days` reads them."""
    by_day: Counter[dt.date] = Counter()
    for a, day, delta in changes:
        if a == agency:
            by_day[day] += delta
    days = sorted(by_day)
    return [d.toordinal() for d in days], list(itertools.accumulate(by_day[d] for d in days))


@given(CHANGES, CHANGES, DAYS)
def test_the_total_on_a_day_is_every_change_up_to_it(
    stored: list[tuple[str, dt.date, int]], later: list[tuple[str, dt.date, int]], day: dt.date
) -> None:
    totals = CriticalTotals()
    totals.load(AGENCIES, {a: _stored(stored, a) for a in AGENCIES if _stored(stored, a)[0]})
    increments: Counter[tuple[str, dt.date]] = Counter()
    for agency, when, delta in later:
        increments[(agency, when)] += delta
    totals.add(increments)
    on = totals.on(day)
    for agency in AGENCIES:
        expected = sum(d for a, when, d in [*stored, *later] if a == agency and when <= day)
        assert on[agency] == expected
        assert on.get(agency) == expected
