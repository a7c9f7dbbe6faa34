"""The contract index gives the contract factors' points as scoring gives them (properties,
with hypothesis): kept up to date event by event, on any day, with any agencies' totals."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.risk.domain.contract_index import MISSING_KINDS, ContractIndex
from services.risk.domain.facts import VendorState, item_of
from services.risk.domain.fold import facts_on, fold_one, stale_items
from services.risk.domain.model import load_model
from services.risk.domain.scoring import missing_points, score
from tests.support.event_examples import envelope as wrap
from tests.support.event_examples import example
from tests.support.risk_strategies import FIRST, VENDOR, events

MODEL = load_model()


@st.composite
def certificates(draw: st.DrawFn) -> EventEnvelope:
    """A certificate of a kind that covers a contract, for one of the logs' two contracts."""
    payload = example(
        "certificate.submitted",
        certificate_id=draw(st.sampled_from(["e", "f", "g"])),  # one may be submitted again
        kind=draw(st.sampled_from(["data_erasure", "media_disposal"])),
        contract_id=draw(st.sampled_from(["x", "y"])),
        subcontract_id=None,
        submitted_on=(FIRST + dt.timedelta(days=draw(st.integers(0, 700)))).isoformat(),
    )
    raw = json.dumps(wrap("certificate.submitted", payload, VENDOR), ensure_ascii=False)
    return parse_event(raw)


logs = st.lists(st.one_of(events(), certificates()), max_size=30)
days = st.integers(-1, 40).map(lambda n: FIRST + dt.timedelta(days=30 * n + 15))
totals = st.dictionaries(st.sampled_from(["市民課", "税務課", "other"]), st.integers(0, 9))


@settings(max_examples=300, deadline=None)
@given(logs, st.lists(days, min_size=1, max_size=3), totals)
def test_the_index_event_by_event_gives_the_contract_factors_points(
    log: list[EventEnvelope], asked: list[dt.date], agency_totals: dict[str, int]
) -> None:
    state, index = VendorState(VENDOR), ContractIndex()
    for event in log:
        after = fold_one(state, event)
        if (item := item_of(event.payload)) is not None:
            index.update(state, after, item[0])
        state = after
    assert _entries(index) == _entries(ContractIndex.of(state))  # kept = built afresh
    for day in asked:
        if stale_items(state, day):
            continue  # the service scores such a day from the events, not the index
        expected = score(facts_on(state, day), day, MODEL, agency_totals)
        for name, kind in MISSING_KINDS.items():
            points = missing_points(kind, MODEL)
            assert index.missing(kind, day, points) == expected.contribution(name)
        concentration = index.concentration(day, MODEL, agency_totals)
        assert concentration == expected.contribution("concentration")


def _entries(index: ContractIndex) -> tuple[object, ...]:
    """What an index holds, leaving out what is empty (a list emptied, a count back to 0)."""
    return tuple(
        {key: value for key, value in part.items() if value}
        for part in (index.uncovered, index.starts, index.ends, index.covers)
    )
