"""When a replacement may bid at a plan's agency again (pure, `bars.eligible_again_on`): the
bars in force now carried on through every bar recorded to begin by the day after, not the
end of the first one alone (a tester read "until 2027-02-04" as free from February, when a
second suspension kept the vendor out until July)."""

from __future__ import annotations

import datetime as dt

from services.events.emitted import EligibilityReasonRef
from services.events.sanction import SanctionKind
from services.migration.domain.bars import eligible_again_on, replacement_problem


def _bar(
    sanction_id: str, starts: str, ends: str | None, agency: str = "税務課"
) -> EligibilityReasonRef:
    return EligibilityReasonRef(
        sanction_id=sanction_id,
        kind=SanctionKind.BID_SUSPENSION,
        authority="City",
        starts_on=dt.date.fromisoformat(starts),
        ends_on=dt.date.fromisoformat(ends) if ends else None,
        agencies=[agency],
    )


NOW = _bar("s-now", "2026-12-05", "2027-02-04")
LATER = _bar("s-later", "2027-01-05", "2027-07-04")


def test_a_bar_that_begins_before_the_one_in_force_ends_carries_it_on() -> None:
    assert eligible_again_on([NOW], [LATER]) == dt.date(2027, 7, 5)
    # One beginning the day after the first ends carries it on too; one after a gap does not.
    next_day = _bar("s-next", "2027-02-05", "2027-03-31")
    assert eligible_again_on([NOW], [next_day]) == dt.date(2027, 4, 1)
    after_a_gap = _bar("s-gap", "2027-02-06", "2027-03-31")
    assert eligible_again_on([NOW], [after_a_gap]) == dt.date(2027, 2, 5)


def test_bars_to_come_alone_and_without_end() -> None:
    assert eligible_again_on([], [LATER]) == dt.date(2027, 7, 5)
    assert eligible_again_on([NOW], [_bar("s-ever", "2027-01-01", None)]) is None
    assert eligible_again_on([], []) is None


def test_the_problem_names_every_bar_at_the_agency_and_the_day_it_is_free_there() -> None:
    elsewhere = _bar("s-elsewhere", "2027-01-01", "2030-12-31", agency="水道局")
    problem = replacement_problem([NOW], [LATER, elsewhere], "税務課", None)
    assert problem == (
        "bid suspension s-now by City from 2026-12-05 until 2027-02-04;"
        " to come: bid suspension s-later by City from 2027-01-05 until 2027-07-04;"
        " eligible here again on 2027-07-05"
    )
    assert replacement_problem([], [elsewhere], "税務課", None) is None
