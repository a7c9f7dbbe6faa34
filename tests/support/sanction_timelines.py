"""Random sanction timelines of one vendor for property tests of eligibility (hypothesis):
barring sanctions within a year or so of START, of some length or none, at some agencies and
categories, maybe extended, lifted or moved to other agencies later."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from services.events.sanction import SanctionKind
from services.registry.domain import sanction_timeline
from services.registry.domain.sanction_timeline import Change, SanctionTimeline

VENDOR = "vendor-b"
START = dt.date(2024, 1, 1)
AGENCIES = ("city-it", "city-roads")
CATEGORIES = ("it", "works")


@st.composite
def sanctions(draw: st.DrawFn) -> SanctionTimeline:
    """A barring sanction of the vendor within a year or so of START, of some length or none,
    at some agencies and categories, maybe extended, lifted or moved to other agencies later
    (then its reason on one day differs by the agency asked)."""
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
            st.builds(
                lambda agencies: (Change(later, False, {"agencies": agencies}),),
                st.one_of(st.none(), st.lists(st.sampled_from(AGENCIES), min_size=1)),
            ),
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
