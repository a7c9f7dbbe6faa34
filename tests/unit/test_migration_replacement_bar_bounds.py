"""An item is not cut over to a replacement while the replacement is barred at the plan's
agency (pure): until when the bars keep it (`bars.replacement_bar`: the last day of the last
bar, in force or to come, gaps or not), and the solver's bound from it, with the reason the
item gives; with no end, no schedule, saying why (a tester found c04 planned a month before
its replacement's suspension ended, and a penalty for early cut-overs pulling another item
into the bar)."""

from __future__ import annotations

import datetime as dt

from services.events.emitted import EligibilityReasonRef
from services.events.sanction import SanctionKind
from services.migration.domain.bars import replacement_bar
from services.migration.planning.model import EarlyCutover, ReplacementBar, SolverStatus
from services.migration.planning.scheduling import solve
from tests.support.schedule_problems import FISCAL_YEAR_END, LEGAL, RESIDENT, D, item, plan, solved

AGENCY = "税務課"


def _bar(
    sanction_id: str, starts: str, ends: str | None, **scope: list[str]
) -> EligibilityReasonRef:
    return EligibilityReasonRef(
        sanction_id=sanction_id,
        kind=SanctionKind.BID_SUSPENSION,
        authority="City",
        starts_on=dt.date.fromisoformat(starts),
        ends_on=dt.date.fromisoformat(ends) if ends else None,
        agencies=scope.get("agencies", [AGENCY]),
        categories=scope.get("categories"),
    )


def test_a_replacement_is_barred_until_the_last_of_its_bars_there_ends() -> None:
    now = _bar("s-now", "2026-12-06", "2027-09-05")
    assert replacement_bar("vendor-r", [now], [], AGENCY, None) == ReplacementBar(
        "vendor-r", D(2027, 9, 5)
    )
    # A bar to come after a gap counts: moved in the gap, the contract runs into it.
    later = _bar("s-later", "2028-01-01", "2028-06-30")
    assert replacement_bar("vendor-r", [now], [later], AGENCY, None) == ReplacementBar(
        "vendor-r", D(2028, 6, 30)
    )
    assert replacement_bar("vendor-r", [], [later], AGENCY, None) == ReplacementBar(
        "vendor-r", D(2028, 6, 30)
    )
    ever = _bar("s-ever", "2027-01-01", None)
    assert replacement_bar("vendor-r", [now], [ever], AGENCY, None) == ReplacementBar(
        "vendor-r", None
    )
    # Bars of another agency or of other categories keep it from nothing here.
    elsewhere = _bar("s-else", "2026-12-06", "2030-12-31", agencies=["水道局"])
    works = _bar("s-works", "2026-12-06", "2030-12-31", categories=["construction"])
    assert (
        replacement_bar("vendor-r", [elsewhere, works], [], AGENCY, "information_systems") is None
    )


def test_an_item_cuts_over_once_its_replacement_may_bid_again() -> None:
    """c04's case: its natural phase in a blackout, its replacement suspended until 06-05; the
    phase holding 06-06 is the first it may take, and the bar alone decided it (the blackout
    it also passed over did not)."""
    barred = ReplacementBar("vendor-r", D(2023, 6, 5))
    assigned = solved(
        plan(
            item("C-04", D(2023, 2, 28), LEGAL, replacement_bar=barred),
            item("C-05", D(2023, 2, 28), LEGAL),
            blackouts=(FISCAL_YEAR_END,),
        )
    )
    assert (assigned["C-04"].phase, assigned["C-05"].phase) == (5, 4)
    assert assigned["C-04"].reasons == (
        "replacement vendor-r barred here until 2023-06-05: not before 2023-06",
    )


def test_penalised_early_cut_overs_do_not_pull_an_item_into_its_replacements_bar() -> None:
    barred = ReplacementBar("vendor-d", D(2023, 6, 5))
    assigned = solved(
        plan(
            item("C-02", D(2023, 9, 30), RESIDENT, replacement_bar=barred),
            early_cutover=EarlyCutover.PENALISE,
        )
    )
    assert assigned["C-02"].phase == 5  # 2023-06, holding 06-06; its natural end is 2023-10
    assert assigned["C-02"].reasons == (
        "before its natural end to reduce exposure (resident-facing):"
        " early cut-overs are penalised, not forbidden",
    )


def test_a_bar_beginning_before_the_planned_phase_moves_the_item_past_it() -> None:
    """Recorded to begin in 2023-03, before the cut-over planned for 2023-05, and to end in
    2023-08: cut over in May, the contract would run with a barred vendor; it waits."""
    barred = ReplacementBar("vendor-r", D(2023, 8, 31))
    assigned = solved(plan(item("C-01", D(2023, 4, 30), replacement_bar=barred)))
    assert assigned["C-01"].phase == 8
    assert assigned["C-01"].reasons == (
        "replacement vendor-r barred here until 2023-08-31: not before 2023-09",
    )


def test_a_bar_that_ended_before_the_plan_binds_nothing() -> None:
    barred = ReplacementBar("vendor-r", D(2022, 12, 31))
    assert solved(plan(item("C-01", D(2023, 4, 30), replacement_bar=barred)))["C-01"].reasons == ()


def test_a_replacement_barred_with_no_end_leaves_no_schedule_and_says_why() -> None:
    barred = ReplacementBar("vendor-r", None)
    schedule = solve(
        plan(item("C-01", D(2023, 4, 30), replacement_bar=barred), item("C-02", D(2023, 4, 30)))
    )
    assert schedule.status is SolverStatus.INFEASIBLE
    assert schedule.conflicts == (
        "C-01's replacement vendor-r is barred here with no end: choose another replacement",
    )
