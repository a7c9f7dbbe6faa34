"""Records read once and judged piecemeal (`screening.Records`, the alerts' judgement of a
batch of awards) answer as `evaluate` does: whether the vendor is barred, the reasons for
any agency, and the day it may bid again with the bars that make it, which are worked out
only when the reasons' end does not make that day; and one asked many questions, which
answers each stretch between the vendor's breakpoints once, answers each as it would alone
(pure, hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry.domain.affiliations import Period
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
    _answers_as_evaluated(records, lambda: [Exposure(t) for t in timelines], day, agency, category)


def _answers_as_evaluated(
    records: Records,
    exposures: Callable[[], list[Exposure]],
    day: dt.date,
    agency: str,
    category: str | None,
) -> None:
    """The records' three answers for VENDOR are `evaluate`'s of its exposures, asked alone
    (exposures made for the question: an exposure remembers what it was asked)."""
    whole = evaluate(VENDOR, exposures(), day, with_bars_from=False)
    there = evaluate(VENDOR, exposures(), day, agency=agency, category=category)
    assert records.bars(VENDOR, day, agency=agency, category=category) == (not there.eligible)
    assert records.reasons(VENDOR, day) == whole.reasons
    assert records.again(VENDOR, day, agency=agency, category=category) == (
        there.eligible_again_on,
        there.extended_by,
    )


AFFILIATE = "vendor-a"


def _covering_affiliates(timeline: SanctionTimeline) -> SanctionTimeline:
    """The timeline as the affiliate's, covering its affiliates throughout."""
    terms = tuple(dataclasses.replace(t, covers_affiliates=True) for t in timeline.terms)
    return dataclasses.replace(
        timeline, sanction_id=f"a-{timeline.sanction_id}", vendor_id=AFFILIATE, terms=terms
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(sanctions(), max_size=4, unique_by=lambda t: t.sanction_id),
    st.lists(sanctions(), max_size=2, unique_by=lambda t: t.sanction_id),
    st.lists(st.tuples(st.integers(0, 800), st.one_of(st.none(), st.integers(1, 300))), max_size=2),
    st.lists(
        st.tuples(
            st.integers(0, 800),
            st.sampled_from(AGENCIES),
            st.one_of(st.none(), st.sampled_from(CATEGORIES)),
        ),
        min_size=2,
        max_size=16,
    ),
)
def test_records_asked_many_questions_answer_each_as_alone(
    own: list[SanctionTimeline],
    theirs: list[SanctionTimeline],
    spans: list[tuple[int, int | None]],
    questions: list[tuple[int, str, str | None]],
) -> None:
    affiliated = [
        Period(
            START + dt.timedelta(days=first),
            None if length is None else START + dt.timedelta(days=first + length),
        )
        for first, length in sorted(spans, key=lambda span: span[0])
    ]
    theirs = [_covering_affiliates(t) for t in theirs]
    related = {AFFILIATE: affiliated} if affiliated else {}
    records = Records({VENDOR: related}, {VENDOR: own, AFFILIATE: theirs})

    def exposures() -> list[Exposure]:
        made = [Exposure(t) for t in own]
        if affiliated:
            made += [Exposure(t, AFFILIATE, tuple(affiliated)) for t in theirs]
        return made

    for offset, agency, category in questions:
        day = START + dt.timedelta(days=offset)
        _answers_as_evaluated(records, exposures, day, agency, category)
