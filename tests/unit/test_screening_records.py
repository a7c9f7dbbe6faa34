"""Records read once and judged piecemeal (`screening.Records`, the alerts' judgement of a
batch of awards) answer as `evaluate` does: whether the vendor is barred, the reasons for
any agency, and the day it may bid again with the bars that make it, which are worked out
only when the reasons' end does not make that day (pure, hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry.domain.eligibility import Exposure, evaluate
from services.registry.domain.sanction_timeline import SanctionTimeline
from services.registry.reads.screening import Records
from tests.support.sanction_timelines import AGENCIES, CATEGORIES, START, VENDOR, sanctions


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
