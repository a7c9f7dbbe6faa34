"""Records read once and judged piecemeal (`screening.Records`, the alerts' judgement of a
batch of awards) answer as `evaluate` does: whether the vendor is barred, the reasons for
any agency, and the day it may bid again with the bars that make it, which are worked out
only when the reasons' end does not make that day (pure, hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from services.events.sanction import SanctionKind
from services.registry.domain import sanction_timeline
from services.registry.domain.eligibility import Exposure, evaluate
from services.registry.domain.sanction_timeline import Change, SanctionTimeline
from services.registry.reads.screening import Records

VENDOR = "vendor-b"
START = dt.date(2024, 1, 1)
AGENCIES = ("city-it", "city-roads")
CATEGORIES = ("it", "works")


@st.composite
def sanctions(draw: st.DrawFn) -> SanctionTimeline:
    """A barring sanction of the vendor within a year or so of START, of some length or none,
    at some agencies and categories, maybe extended or lifted later."""
    n = draw(st.integers(0, 10_000))
    starts_on = START + dt.timedelta(days=draw(st.integers(0, 400)))
    period = draw(
        st.one_of(
            st.builds(lambda d: {"duration_days": d}, st.integers(1, 200)),
            st.just({"indefinite": True}),
        )
    )
    scope = {
        "agencies": draw(st.one_of(st.none(), st.lists(st.sampled_from(AGENCIES), min_size=1))),
        "categories": draw(st.one_of(st.none(), st.lists(st.sampled_from(CATEGORIES), min_size=1))),
    }
    later = starts_on + dt.timedelta(days=draw(st.integers(1, 300)))
    changes = draw(
        st.one_of(
            st.just(()),
            st.builds(lambda d: (Change(later, False, {"duration_days": d}),), st.integers(1, 400)),
            st.just((Change(later, True, {}),)),
        )
    )
    return sanction_timeline.build(
        sanction_id=f"s-{n}",
        vendor_id=VENDOR,
        kind=draw(st.sampled_from([SanctionKind.BID_SUSPENSION, SanctionKind.DEBARMENT])),
        authority="City",
        decided_on=starts_on - dt.timedelta(days=1),
        starts_on=starts_on,
        imposed={**period, **scope},
        changes=changes,
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(sanctions(), max_size=4, unique_by=lambda t: t.sanction_id),
    st.integers(0, 800),
    st.sampled_from(AGENCIES),
    st.one_of(st.none(), st.sampled_from(CATEGORIES)),
)
def test_records_answer_as_a_whole_evaluation(
    timelines: list[SanctionTimeline], offset: int, agency: str, category: str | None
) -> None:
    records = Records({VENDOR: {}}, {VENDOR: timelines})
    day = START + dt.timedelta(days=offset)
    exposures = [Exposure(t) for t in timelines]
    whole = evaluate(VENDOR, exposures, day, with_bars_from=False)
    there = evaluate(VENDOR, exposures, day, agency=agency, category=category)
    assert records.bars(VENDOR, day, agency=agency, category=category) == (not there.eligible)
    assert records.reasons(VENDOR, day) == whole.reasons
    assert records.again(VENDOR, day, agency=agency, category=category) == (
        there.eligible_again_on,
        there.extended_by,
    )
