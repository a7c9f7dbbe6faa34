"""Bid eligibility rules over sanction timelines and affiliations (pure, no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.events.sanction import SanctionKind
from services.registry.domain import sanction_timeline
from services.registry.domain.affiliations import Period
from services.registry.domain.eligibility import Exposure, evaluate
from services.registry.domain.sanction_timeline import Change, SanctionTimeline
from tests.support.sanction_timelines import AGENCIES, CATEGORIES, START, VENDOR, sanctions

D = dt.date


def timeline(
    sanction_id: str = "s-1",
    starts_on: dt.date = dt.date(2022, 7, 9),
    kind: SanctionKind = SanctionKind.BID_SUSPENSION,
    changes: tuple[Change, ...] = (),
    vendor_id: str = "vendor-b",
    **imposed: Any,
) -> SanctionTimeline:
    return sanction_timeline.build(
        sanction_id=sanction_id,
        vendor_id=vendor_id,
        kind=kind,
        authority="City",
        decided_on=starts_on - dt.timedelta(days=1),
        starts_on=starts_on,
        imposed=imposed or {"duration_months": 18},
        changes=changes,
    )


def own(*timelines: SanctionTimeline) -> list[Exposure]:
    return [Exposure(t) for t in timelines]


CASE = timeline()


def test_the_case_first_and_last_day_barred_the_day_after_eligible() -> None:
    before = evaluate("vendor-b", own(CASE), D(2022, 7, 8))
    assert before.eligible and before.reasons == () and before.eligible_again_on is None
    (coming,) = before.upcoming  # already recorded, not yet in force
    assert (coming.sanction_id, coming.starts_on, coming.ends_on) == (
        "s-1",
        D(2022, 7, 9),
        D(2024, 1, 8),
    )
    for day in (D(2022, 7, 9), D(2024, 1, 8)):
        answer = evaluate("vendor-b", own(CASE), day)
        assert not answer.eligible
        assert [r.sanction_id for r in answer.reasons] == ["s-1"]
        assert answer.reasons[0].ends_on == D(2024, 1, 8)
        assert answer.eligible_again_on == D(2024, 1, 9)
    assert evaluate("vendor-b", own(CASE), D(2024, 1, 9)).eligible


def test_a_warning_bars_nothing() -> None:
    warning = timeline("w-1", kind=SanctionKind.WARNING, indefinite=True)
    assert evaluate("vendor-b", own(warning), D(2023, 1, 1)).eligible


def test_back_to_back_and_overlapping_sanctions_are_bridged() -> None:
    follow_up = timeline("s-2", D(2024, 1, 9), SanctionKind.DEBARMENT, ends_on=D(2024, 6, 30))
    overlapping = timeline("s-3", D(2023, 12, 1), ends_on=D(2024, 3, 31))
    answer = evaluate("vendor-b", own(CASE, follow_up, overlapping), D(2023, 12, 15))
    assert {r.sanction_id for r in answer.reasons} == {"s-1", "s-3"}
    assert answer.eligible_again_on == D(2024, 7, 1)


def test_the_later_sanctions_that_push_the_return_date_are_named() -> None:
    # Barred to 2024-01-08 by s-1; s-2 (recorded, to start 2023-12-09, before s-1 ends) bars
    # to 2024-06-08, s-3 the day after to 2024-09-30: the answer's reasons name s-1 alone,
    # its day is 2024-10-01, and `extended_by` names the two that make it so.
    overlapping = timeline("s-2", D(2023, 12, 9), duration_months=6)
    consecutive = timeline("s-3", D(2024, 6, 9), ends_on=D(2024, 9, 30))
    inside = timeline("s-4", D(2023, 9, 1), ends_on=D(2023, 10, 31))  # within s-1: no push
    after_a_gap = timeline("s-5", D(2024, 10, 2), ends_on=D(2024, 12, 31))
    exposures = own(CASE, overlapping, consecutive, inside, after_a_gap)
    answer = evaluate("vendor-b", exposures, D(2023, 6, 1))
    assert [r.sanction_id for r in answer.reasons] == ["s-1"]
    assert answer.eligible_again_on == D(2024, 10, 1)
    assert [(r.sanction_id, r.starts_on, r.ends_on) for r in answer.extended_by] == [
        ("s-2", D(2023, 12, 9), D(2024, 6, 8)),
        ("s-3", D(2024, 6, 9), D(2024, 9, 30)),
    ]
    assert {r.sanction_id for r in answer.upcoming} == {"s-2", "s-3", "s-4", "s-5"}
    # Nothing to explain: eligible, or barred without end already, or no later bar joins.
    assert evaluate("vendor-b", exposures, D(2022, 7, 8)).extended_by == ()
    endless = own(timeline(indefinite=True), consecutive)
    assert evaluate("vendor-b", endless, D(2023, 6, 1)).extended_by == ()
    assert evaluate("vendor-b", own(CASE, after_a_gap), D(2023, 6, 1)).extended_by == ()
    # One without end joins: the vendor is barred without end, and it says why.
    joined = evaluate(
        "vendor-b", own(CASE, timeline("s-6", D(2024, 1, 9), indefinite=True)), D(2023, 6, 1)
    )
    assert joined.eligible_again_on is None
    assert [r.sanction_id for r in joined.extended_by] == ["s-6"]


def test_an_indefinite_sanction_has_no_date_of_return() -> None:
    answer = evaluate("vendor-b", own(timeline(indefinite=True)), D(2030, 1, 1))
    assert not answer.eligible and answer.eligible_again_on is None


def test_scope_limits_which_procurements_are_barred() -> None:
    scoped = timeline(duration_months=18, agencies=["city-it"], categories=["it"])
    day = D(2023, 1, 1)
    assert not evaluate("vendor-b", own(scoped), day, agency="city-it", category="it").eligible
    assert evaluate("vendor-b", own(scoped), day, agency="city-roads", category="it").eligible
    assert evaluate("vendor-b", own(scoped), day, agency="city-it", category="works").eligible
    # An unnamed agency or category cannot rule the sanction out: never "eligible" wrongly.
    assert not evaluate("vendor-b", own(scoped), day).eligible


def test_an_extension_moves_the_return_date() -> None:
    extended = timeline(changes=(Change(D(2023, 6, 1), False, {"duration_months": 24}),))
    before = evaluate("vendor-b", own(extended), D(2023, 3, 1))
    assert before.eligible_again_on == D(2024, 7, 9)  # already recorded: known in advance
    # The reason's end counts the extension too: it said 2024-01-08 (the terms in force
    # that day), and an export or an announcement carrying it told another end than the
    # return date beside it.
    assert before.reasons[0].ends_on == D(2024, 7, 8)
    assert not evaluate("vendor-b", own(extended), D(2024, 3, 1)).eligible


def test_a_lift_or_a_shortening_dated_ahead_ends_the_reason_where_it_says() -> None:
    lifted = timeline(changes=(Change(D(2023, 6, 1), True, {}),))
    reason = evaluate("vendor-b", own(lifted), D(2023, 3, 1)).reasons[0]
    assert reason.ends_on == D(2023, 5, 31)  # the terms then said 2024-01-08
    # Shortened from 2023-06-01 to a period already over then: it ends the day before.
    cut = timeline(changes=(Change(D(2023, 6, 1), False, {"duration_months": 3}),))
    assert evaluate("vendor-b", own(cut), D(2023, 3, 1)).reasons[0].ends_on == D(2023, 5, 31)
    # Made indefinite ahead, then lifted later still: the lift ends it.
    both = timeline(
        changes=(
            Change(D(2023, 6, 1), False, {"indefinite": True}),
            Change(D(2025, 2, 1), True, {}),
        )
    )
    answer = evaluate("vendor-b", own(both), D(2023, 3, 1))
    assert answer.reasons[0].ends_on == D(2025, 1, 31)
    assert answer.eligible_again_on == D(2025, 2, 1)
    # Extended from the day after its last day: one bar, to the new end.
    extended = timeline(changes=(Change(D(2024, 1, 9), False, {"duration_months": 24}),))
    answer = evaluate("vendor-b", own(extended), D(2023, 3, 1))
    assert answer.reasons[0].ends_on == D(2024, 7, 8)
    assert answer.eligible_again_on == D(2024, 7, 9)


def test_an_upcoming_reason_starts_on_its_first_barring_day() -> None:
    # Barring at city-it, moved to city-roads from 2023-01-15: asked for city-roads on
    # 2022-12-01, the upcoming reason said it started on 2022-07-09, a day already past.
    moved = Change(D(2023, 1, 15), False, {"agencies": ["city-roads"]})
    scoped = timeline(duration_months=18, agencies=["city-it"], changes=(moved,))
    roads = evaluate("vendor-b", own(scoped), D(2022, 12, 1), agency="city-roads")
    assert roads.eligible
    assert [(r.starts_on, r.ends_on) for r in roads.upcoming] == [(D(2023, 1, 15), D(2024, 1, 8))]
    later = evaluate("vendor-b", own(timeline(starts_on=D(2023, 3, 1))), D(2022, 12, 1))
    assert [r.starts_on for r in later.upcoming] == [D(2023, 3, 1)]


def test_a_sanction_that_bars_again_after_a_gap_is_upcoming_too() -> None:
    # Ended 2024-01-08, extended from 2024-02-01 to 24 months: free from 2024-01-09 to
    # 2024-01-31, barred again to 2024-07-08. Asked on a day of the first bar, the later one
    # was nowhere in the answer, so an export of it (and a registry importing that) lost it.
    resumed = timeline(changes=(Change(D(2024, 2, 1), False, {"duration_months": 24}),))
    answer = evaluate("vendor-b", own(resumed), D(2024, 1, 8))
    assert [(r.starts_on, r.ends_on) for r in answer.reasons] == [(D(2022, 7, 9), D(2024, 1, 8))]
    assert answer.eligible_again_on == D(2024, 1, 9)
    assert [(r.sanction_id, r.starts_on, r.ends_on) for r in answer.upcoming] == [
        ("s-1", D(2024, 2, 1), D(2024, 7, 8))
    ]
    # In the gap it is upcoming as any later bar; in the last bar, nothing is to come.
    assert [r.starts_on for r in evaluate("vendor-b", own(resumed), D(2024, 1, 20)).upcoming] == [
        D(2024, 2, 1)
    ]
    assert evaluate("vendor-b", own(resumed), D(2024, 3, 1)).upcoming == ()
    # A bar that ends and never returns, or runs on, is no upcoming one.
    assert evaluate("vendor-b", own(CASE), D(2023, 3, 1)).upcoming == ()
    # Each bar says where it begins, and whether a gap in its sanction came before it.
    assert (answer.reasons[0].bars_from, answer.reasons[0].resumed) == (D(2022, 7, 9), False)
    assert (answer.upcoming[0].bars_from, answer.upcoming[0].resumed) == (D(2024, 2, 1), True)
    again = evaluate("vendor-b", own(resumed), D(2024, 3, 1)).reasons[0]
    assert (again.starts_on, again.bars_from, again.resumed) == (D(2022, 7, 9), D(2024, 2, 1), True)


def test_every_bar_after_a_gap_is_upcoming_however_many_gaps() -> None:
    # Barred to 2024-01-08, again from 2024-02-01 to 2024-03-31, again from 2024-05-01 to
    # 2024-07-08: only the first later bar was listed, and an export lost the third.
    twice = timeline(
        changes=(
            Change(D(2024, 2, 1), False, {"ends_on": D(2024, 3, 31)}),
            Change(D(2024, 5, 1), False, {"duration_months": 24}),
        )
    )
    answer = evaluate("vendor-b", own(twice), D(2023, 6, 1))
    assert [(r.starts_on, r.ends_on, r.resumed) for r in answer.upcoming] == [
        (D(2024, 2, 1), D(2024, 3, 31), True),
        (D(2024, 5, 1), D(2024, 7, 8), True),
    ]
    assert [r.starts_on for r in evaluate("vendor-b", own(twice), D(2024, 4, 1)).upcoming] == [
        D(2024, 5, 1)
    ]


def test_bars_to_come_are_listed_by_the_day_each_begins() -> None:
    # Recorded in this order, the fourth beginning second: `upcoming` listed them as
    # recorded, so "what bars this vendor next" read October before May.
    recorded = [
        timeline("x1", D(2023, 4, 11), duration_months=6),
        timeline("x2", D(2023, 10, 11), duration_months=3),
        timeline("x3", D(2024, 1, 12), duration_months=3),
        timeline("x4", D(2023, 5, 2), duration_months=4),
    ]
    answer = evaluate("vendor-b", own(*recorded), D(2023, 4, 10))
    assert [r.sanction_id for r in answer.upcoming] == ["x1", "x4", "x2", "x3"]
    assert [r.starts_on for r in answer.upcoming] == sorted(r.starts_on for r in answer.upcoming)


def test_a_shortening_takes_effect_from_its_date_not_before() -> None:
    shortened = timeline(changes=(Change(D(2023, 6, 1), False, {"duration_months": 9}),))
    # Until 2023-06-01 the 18 months stood, though 9 months would have ended on 2023-04-08.
    assert not evaluate("vendor-b", own(shortened), D(2023, 5, 1)).eligible
    assert evaluate("vendor-b", own(shortened), D(2023, 5, 1)).eligible_again_on == D(2023, 6, 1)
    assert evaluate("vendor-b", own(shortened), D(2023, 6, 1)).eligible


def test_an_early_lift_ends_the_sanction_on_its_date() -> None:
    lifted = timeline(changes=(Change(D(2023, 2, 1), True, {}),))
    answer = evaluate("vendor-b", own(lifted), D(2023, 1, 31))
    assert not answer.eligible and answer.eligible_again_on == D(2023, 2, 1)
    assert evaluate("vendor-b", own(lifted), D(2023, 2, 1)).eligible


def test_a_scope_change_applies_from_its_effective_date() -> None:
    narrowed = timeline(changes=(Change(D(2023, 1, 1), False, {"agencies": ["city-it"]}),))
    assert not evaluate("vendor-b", own(narrowed), D(2022, 12, 31), agency="city-roads").eligible
    assert evaluate("vendor-b", own(narrowed), D(2023, 1, 1), agency="city-roads").eligible


def test_an_affiliates_sanction_reaches_the_vendor_only_when_it_says_so() -> None:
    parent_sanction = timeline(vendor_id="vendor-p", duration_months=18, covers_affiliates=True)
    not_covering = timeline("s-9", vendor_id="vendor-p", duration_months=18)
    while_affiliated = (Period(D(2020, 1, 1), D(2023, 1, 1)),)
    exposures = [
        Exposure(parent_sanction, "vendor-p", while_affiliated),
        Exposure(not_covering, "vendor-p", while_affiliated),
    ]
    answer = evaluate("vendor-s", exposures, D(2022, 8, 1))
    assert not answer.eligible
    (reason,) = answer.reasons
    assert (reason.sanction_id, reason.via_vendor_id) == ("s-1", "vendor-p")
    # The relation ended on 2023-01-01: from then on the parent's sanction no longer reaches.
    assert answer.eligible_again_on == D(2023, 1, 1)
    assert evaluate("vendor-s", exposures, D(2023, 1, 1)).eligible
    # The reason ends where the bar does: with the affiliation (its sanction runs to
    # 2024-01-08), or where the sanction stops covering affiliates, dated ahead.
    assert reason.ends_on == D(2022, 12, 31)
    uncovering = Change(D(2022, 10, 1), False, {"covers_affiliates": False})
    amended = timeline(
        vendor_id="vendor-p", covers_affiliates=True, duration_months=18, changes=(uncovering,)
    )
    standing = (Period(D(2020, 1, 1), None),)
    later = evaluate("vendor-s", [Exposure(amended, "vendor-p", standing)], D(2022, 8, 1))
    assert later.reasons[0].ends_on == D(2022, 9, 30)
    assert later.eligible_again_on == D(2022, 10, 1)


def test_agency_and_category_names_compare_after_normalisation() -> None:
    scoped = timeline(duration_months=18, agencies=["City IT Division"], categories=["ＩＴ"])
    day = D(2023, 1, 1)
    assert not evaluate(
        "vendor-b", own(scoped), day, agency="city it  division", category="it"
    ).eligible


def test_a_sanctions_final_day_is_the_last_it_bars_every_change_counted() -> None:
    assert CASE.final_day == D(2024, 1, 8)
    # A new period ending before the amendment takes effect: it ends the day before.
    cut = timeline(changes=(Change(D(2023, 3, 1), False, {"ends_on": D(2022, 12, 1)}),))
    assert cut.final_day == D(2023, 2, 28)
    # Extended after a gap: the far end; made indefinite: none; lifted: the day before.
    resumed = timeline(changes=(Change(D(2024, 2, 1), False, {"duration_months": 24}),))
    assert resumed.final_day == D(2024, 7, 8)
    endless = timeline(changes=(Change(D(2023, 1, 1), False, {"indefinite": True}),))
    assert endless.final_day is None
    assert timeline(changes=(Change(D(2023, 1, 1), True, {}),)).final_day == D(2022, 12, 31)
    # Lifted before it began: it never bars, and ends the day before its lift.
    never = timeline(changes=(Change(D(2022, 7, 1), True, {}),))
    assert never.final_day == D(2022, 6, 30)


def test_a_sanctions_barred_periods_are_the_stretches_eligibility_bars() -> None:
    """What a calendar draws: one stretch, or one on each side of a gap, whose days the
    vendor may bid (one bar from the first day to `final_day` barred it through the gap)."""
    assert CASE.barred_periods == ((CASE.starts_on, D(2024, 1, 8)),)
    resumed = timeline(changes=(Change(D(2024, 2, 1), False, {"duration_months": 24}),))
    assert resumed.barred_periods == (
        (CASE.starts_on, D(2024, 1, 8)),
        (D(2024, 2, 1), D(2024, 7, 8)),
    )
    for stretch in resumed.barred_periods:
        first, last = stretch
        assert last is not None and resumed.in_force_on(first) and resumed.in_force_on(last)
    assert not resumed.in_force_on(D(2024, 1, 15))
    endless = timeline(changes=(Change(D(2023, 1, 1), False, {"indefinite": True}),))
    assert endless.barred_periods == ((CASE.starts_on, None),)
    lifted = timeline(changes=(Change(D(2023, 1, 1), True, {}),))
    assert lifted.barred_periods == ((CASE.starts_on, D(2022, 12, 31)),)
    assert timeline(changes=(Change(D(2022, 7, 1), True, {}),)).barred_periods == ()


# Far past every breakpoint the timelines drawn can have (tests/support/sanction_timelines.py).
_HORIZON = dt.timedelta(days=2_500)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(sanctions(), max_size=6, unique_by=lambda t: t.sanction_id),
    st.integers(0, 800),
    st.one_of(st.none(), st.sampled_from(AGENCIES)),
    st.one_of(st.none(), st.sampled_from(CATEGORIES)),
)
def test_the_day_of_return_is_the_first_day_nothing_bars(
    timelines: list[SanctionTimeline], offset: int, agency: str | None, category: str | None
) -> None:
    """However sanctions overlap, chain, are extended, shortened or lifted: the day a barred
    vendor may bid again is the first day after the asked one that no sanction bars, found
    day by day here; None when one bars without end."""
    exposures = own(*timelines)
    day = START + dt.timedelta(days=offset)
    answer = evaluate(VENDOR, exposures, day, agency=agency, category=category)
    free = (
        day + dt.timedelta(days=n)
        for n in range(1, _HORIZON.days)
        if not any(e.bars_on(day + dt.timedelta(days=n), agency, category) for e in exposures)
    )
    assert answer.eligible_again_on == (None if answer.eligible else next(free, None))
