"""The factor memo scores exactly as scoring from scratch (properties, with hypothesis): after
every event of a log, for the event's day and for a fixed "today", with the agencies' totals
moving in between, stored and loaded between events as between batches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.risk.domain.contract_index import ContractIndex
from services.risk.domain.factor_memo import FactorMemo
from services.risk.domain.facts import VendorState, effective_day, item_of
from services.risk.domain.fold import facts_on, fold_one, stale_items
from services.risk.domain.model import load_model
from services.risk.domain.risk_score import Factor, RiskScore
from services.risk.domain.scoring import FACTOR_RULES, score
from services.risk.domain.terms import incident_terms, sanction_terms
from tests.support.event_examples import envelope as wrap
from tests.support.event_examples import example
from tests.support.risk_strategies import FIRST, VENDOR, logs

STATE = TypeAdapter(VendorState)
MODEL = load_model()
TODAY = FIRST + dt.timedelta(days=400)
totals = st.dictionaries(st.sampled_from(["市民課", "税務課", "other"]), st.integers(0, 40))


@settings(max_examples=200, deadline=None)
@given(logs, st.lists(totals, min_size=1, max_size=4))
def test_the_memo_scores_as_scoring_from_scratch(
    log: list[EventEnvelope], moving_totals: list[dict[str, int]]
) -> None:
    memo, indexed, index = FactorMemo(), FactorMemo(), ContractIndex()
    state = VendorState(VENDOR)
    for n, event in enumerate(log):
        after = STATE.validate_json(STATE.dump_json(fold_one(state, event)))
        if (item := item_of(event.payload)) is not None:
            index.update(state, after, item[0])
        state = after
        agency_totals = moving_totals[n % len(moving_totals)]
        for day in (effective_day(event.payload, FIRST), TODAY):
            if stale_items(state, day):
                continue  # scored from scratch by the service, never through the memo
            facts = facts_on(state, day)
            expected = score(facts, day, MODEL, agency_totals)
            assert memo.score(state, facts, day, MODEL, agency_totals) == expected
            assert memo.score(state, facts, day, MODEL, agency_totals) == expected  # again
            # The missing certificates' evidence from the contract index: the same.
            with_index = indexed.score(
                state, facts, day, MODEL, agency_totals, index, evidence=True
            )
            assert with_index == expected


@settings(max_examples=200, deadline=None)
@given(logs, totals)
def test_points_only_every_factor_counts_what_scoring_from_scratch_counts(
    log: list[EventEnvelope], agency_totals: dict[str, int]
) -> None:
    """As a history row is scored: the long factors without their evidence, the same points."""
    memo, state, index = FactorMemo(), VendorState(VENDOR), ContractIndex()
    for event in log:
        after = fold_one(state, event)
        if (item := item_of(event.payload)) is not None:
            index.update(state, after, item[0])
            memo.moved(state, after, item[0], MODEL)  # its incident and sanction terms
        state = after
        for day in (effective_day(event.payload, FIRST), TODAY):
            if stale_items(state, day):
                continue
            facts = facts_on(state, day)
            expected = score(facts, day, MODEL, agency_totals)
            points = memo.score(state, facts, day, MODEL, agency_totals, index)
            assert (points.score, points.band) == (expected.score, expected.band)
            assert [(f.name, f.contribution) for f in points.factors] == [
                (f.name, f.contribution) for f in expected.factors
            ]


@settings(max_examples=200, deadline=None)
@given(logs, totals)
def test_a_rule_with_nothing_it_counts_on_the_record_gives_no_points(
    log: list[EventEnvelope], agency_totals: dict[str, int]
) -> None:
    """What lets a score leave a rule out (`FactorRule.counts`): whatever else the record
    holds, the day and the totals, a rule without the items it counts contributes nothing."""
    state = VendorState(VENDOR)
    for event in log:
        state = fold_one(state, event)
        for day in (effective_day(event.payload, FIRST), TODAY):
            facts = facts_on(state, dt.date.max)
            for rule in FACTOR_RULES:
                nothing: dict[str, Any] = {name: {} for name in rule.counts}
                emptied = dataclasses.replace(facts, **nothing)
                assert rule.compute(emptied, day, MODEL, agency_totals).contribution == 0


def test_points_kept_per_day_are_forgotten_when_the_model_changes() -> None:
    """The same state scored under another model (a retuned weight): the points it gives,
    not those kept for the first model on the same day."""
    memo, claim = FactorMemo(), _event("claim.filed", claim_id="k1", filed_on="2022-09-01")
    state = fold_one(VendorState(VENDOR), claim)
    index = ContractIndex.of(state)
    retuned = dataclasses.replace(
        MODEL, claims=dataclasses.replace(MODEL.claims, per_pending_claim=7.0)
    )
    for model in (MODEL, retuned, MODEL):
        points = memo.score(state, facts_on(state, TODAY), TODAY, model, {}, index)
        expected = score(facts_on(state, TODAY), TODAY, model, {})
        assert points.contribution("pending_claims") == expected.contribution("pending_claims")
    assert MODEL.claims.per_pending_claim != 7.0


@settings(max_examples=300, deadline=None)
@given(logs)
def test_terms_updated_item_by_item_are_the_terms_made_from_scratch(
    log: list[EventEnvelope],
) -> None:
    """After each event the incident and sanction terms, updated for its item alone (its
    term taken out, the new one put in at its place), equal those made from the whole record:
    the same terms in the same order, so the same floats."""
    state = VendorState(VENDOR)
    own, inherited = (incident_terms(facts_on(state, TODAY), MODEL, i) for i in (False, True))
    active, recent = (sanction_terms(state.sanctions, MODEL, a) for a in (True, False))
    for event in log:
        after = fold_one(state, event)
        item = item_of(event.payload)
        kind, _, item_id = item[0].partition(":") if item is not None else ("", "", "")
        if kind == "incident":
            old, new = state.incidents.get(item_id), after.incidents.get(item_id)
            own, inherited = (terms.moved(VENDOR, old, new, MODEL) for terms in (own, inherited))
        elif kind == "sanction":
            was, now = state.sanctions.get(item_id), after.sanctions.get(item_id)
            active, recent = (terms.moved(was, now, MODEL) for terms in (active, recent))
        state = after
        facts = facts_on(state, dt.date.max)  # every item as it stands (none folded again)
        assert own == incident_terms(facts, MODEL, inherited=False)
        assert inherited == incident_terms(facts, MODEL, inherited=True)
        assert active == sanction_terms(state.sanctions, MODEL, active=True)
        assert recent == sanction_terms(state.sanctions, MODEL, active=False)


def _event(event_type: str, **fields: object) -> EventEnvelope:
    payload = example(event_type, **fields)
    return parse_event(json.dumps(wrap(event_type, payload, VENDOR), ensure_ascii=False))


def _awarded(contract_id: str, starts_on: str, ends_on: str) -> EventEnvelope:
    """A contract awarded on the day it starts."""
    return _event(
        "contract.awarded",
        contract_id=contract_id,
        awarded_on=starts_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _an_ended_contract_scored(memo: FactorMemo) -> tuple[VendorState, RiskScore, Factor]:
    """A vendor whose one contract ended without its erasure certificate, scored once."""
    ended = _awarded("c1", "2022-01-01", "2022-06-30")
    state = fold_one(VendorState(VENDOR), ended)
    before = memo.score(state, facts_on(state, TODAY), TODAY, MODEL, {})
    missing = before.factor("missing_erasure_certificates")
    assert missing is not None and missing.contribution > 0
    return state, before, missing


def test_a_factor_the_event_left_alone_is_reused_and_a_touched_one_computed_again() -> None:
    memo = FactorMemo()
    state, before, missing = _an_ended_contract_scored(memo)
    state = fold_one(state, _event("claim.filed", claim_id="k1", filed_on="2022-09-01"))
    after = memo.score(state, facts_on(state, TODAY), TODAY, MODEL, {})
    assert after.factor("missing_erasure_certificates") is missing  # contracts untouched
    assert before.factor("pending_claims") is None and after.factor("pending_claims") is not None
    assert after == score(facts_on(state, TODAY), TODAY, MODEL, {})


def test_a_factor_computed_again_to_the_same_evidence_is_the_object_already_written() -> None:
    """A contract awarded that has not ended moves the contracts the missing certificates
    read, not their evidence: the factor handed back is the one kept, so the thousands of
    ended contracts it may list are not encoded and hashed again for the current score."""
    memo = FactorMemo()
    state, _, missing = _an_ended_contract_scored(memo)
    running = _awarded("c2", "2022-09-01", "2099-12-31")
    state = fold_one(state, running)
    after = memo.score(state, facts_on(state, TODAY), TODAY, MODEL, {})
    assert after.factor("missing_erasure_certificates") is missing
    assert after == score(facts_on(state, TODAY), TODAY, MODEL, {})
    finished = _awarded("c3", "2022-02-01", "2022-08-31")
    state = fold_one(state, finished)
    last = memo.score(state, facts_on(state, TODAY), TODAY, MODEL, {})
    changed = last.factor("missing_erasure_certificates")
    assert changed is not None and changed != missing and len(changed.evidence) == 2
    assert last == score(facts_on(state, TODAY), TODAY, MODEL, {})


def test_missing_certificates_from_the_index_keep_their_object_while_unchanged() -> None:
    """Scored with its contract index and evidence (the current score): the contracts ended
    come from the index, as scoring from scratch lists them; a contract awarded that has not
    ended leaves that evidence as it was, so the factor kept (its JSON already made) is handed
    back; one more ended contract lists two."""
    memo, state = FactorMemo(), VendorState(VENDOR)
    index = ContractIndex()

    def scored(event: EventEnvelope) -> RiskScore:
        nonlocal state
        after = fold_one(state, event)
        item = item_of(event.payload)
        assert item is not None
        index.update(state, after, item[0])
        state = after
        facts = facts_on(state, TODAY)
        found = memo.score(state, facts, TODAY, MODEL, {}, index, evidence=True)
        assert found == score(facts, TODAY, MODEL, {})
        return found

    missing = scored(_awarded("c1", "2022-01-01", "2022-06-30")).factor(
        "missing_erasure_certificates"
    )
    running = scored(_awarded("c2", "2022-09-01", "2099-12-31"))
    assert running.factor("missing_erasure_certificates") is missing
    ended = scored(_awarded("c3", "2022-02-01", "2022-08-31")).factor(
        "missing_erasure_certificates"
    )
    assert ended is not None and ended != missing and len(ended.evidence) == 2
