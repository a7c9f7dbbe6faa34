"""A pending claim in another currency than the yen (pure): weighed at the model's rate for its
currency, or by its base points alone when the model gives none, and its evidence names the
currency it was claimed in; a claim filed before that rule counts its figure as yen, as it
did live, and says so. Found by a tester: US$1M and ₩100M were both scored and described as
¥100M ("for 100,000,000 yen")."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from types import MappingProxyType

import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.eventstore import later_rules
from services.risk.domain.facts import ClaimFact, VendorFacts, VendorState
from services.risk.domain.fold import fold, fold_one
from services.risk.domain.model import ClaimWeights, RiskModel
from services.risk.domain.risk_score import RiskScore
from services.risk.domain.scoring import score
from tests.support.event_examples import envelope, example

D = dt.date
VENDOR = "cl1-1"
FILED = D(2023, 4, 1)
WEIGHTS = ClaimWeights(
    per_pending_claim=3,
    per_100m_yen=2,
    cap=15,
    yen_per_unit=MappingProxyType({"USD": 150, "KRW": 0.11}),
)


@pytest.fixture
def claims_model(model: RiskModel) -> RiskModel:
    return dataclasses.replace(model, claims=WEIGHTS)


def claim(currency: str, amount: int = 100_000_000, *, as_yen: bool = False) -> ClaimFact:
    return ClaimFact(
        "u1", amount, FILED, event_ids=("ev-u1",), currency=currency, amount_as_yen=as_yen
    )


def scored(model: RiskModel, *claims: ClaimFact) -> RiskScore:
    facts = VendorFacts(VENDOR, claims={c.claim_id: c for c in claims})
    return score(facts, FILED, model, {})


def only_note(result: RiskScore) -> str:
    found = result.factor("pending_claims")
    assert found is not None
    (evidence,) = found.evidence
    return evidence.note


def test_a_claim_in_yen_is_weighed_and_written_as_before(claims_model: RiskModel) -> None:
    result = scored(claims_model, claim("JPY"))
    assert result.contribution("pending_claims") == 5.0
    assert only_note(result) == (
        "claim u1 filed on 2023-04-01 for 100,000,000 yen, pending:"
        " 3 + 2 × 100,000,000 / 100,000,000 = 5.00"
    )


def test_a_claim_in_dollars_is_weighed_at_the_model_s_rate(claims_model: RiskModel) -> None:
    # 100,000,000 cents: US$1,000,000, ¥150,000,000 at the model's 150 yen per dollar.
    result = scored(claims_model, claim("USD"))
    assert result.contribution("pending_claims") == 6.0
    assert only_note(result) == (
        "claim u1 filed on 2023-04-01 for 1,000,000.00 USD (150,000,000 yen at the model's"
        " 150 yen per USD), pending: 3 + 2 × 150,000,000 / 100,000,000 = 6.00"
    )


def test_a_claim_in_won_earns_what_its_yen_are_worth_not_the_figure_s(
    claims_model: RiskModel,
) -> None:
    # ₩100,000,000 at 0.11 yen per won: ¥11,000,000, not ¥100M's 2 points.
    result = scored(claims_model, claim("KRW"))
    assert result.contribution("pending_claims") == 3.2
    assert only_note(result) == (
        "claim u1 filed on 2023-04-01 for 100,000,000 KRW (11,000,000 yen at the model's"
        " 0.11 yen per KRW), pending: 3 + 2 × 11,000,000 / 100,000,000 = 3.22"
    )


@pytest.mark.parametrize(
    ("currency", "written", "why"),
    [
        ("EUR", "10,000,000,000,000.00 EUR", "the model gives no yen rate for EUR"),
        # Codes no amount may be in (stored before the API refused them, or sent past it): no
        # model could give them a rate (it refuses one), so the note does not suggest one.
        (
            "ABC",
            "the figure 1,000,000,000,000,000 recorded in ABC",
            "ABC is not an ISO 4217 code in use",
        ),
        (
            "XAU",
            "the figure 1,000,000,000,000,000 recorded in XAU",
            "XAU is not a currency of payment (ISO 4217 gives it no minor unit)",
        ),
    ],
)
def test_a_claim_in_a_currency_without_a_rate_counts_its_base_points_and_says_why(
    claims_model: RiskModel, currency: str, written: str, why: str
) -> None:
    # However large: its yen are not known.
    result = scored(claims_model, claim(currency, 10**15))
    assert result.contribution("pending_claims") == 3.0
    assert only_note(result) == (
        f"claim u1 filed on 2023-04-01 for {written}, pending: 3 (its amount is not weighed: {why})"
    )


def test_a_claim_recorded_before_the_rule_counts_its_figure_as_yen_and_says_so(
    claims_model: RiskModel,
) -> None:
    result = scored(claims_model, claim("USD", as_yen=True))
    assert result.contribution("pending_claims") == 5.0
    assert only_note(result) == (
        "claim u1 filed on 2023-04-01 for 1,000,000.00 USD, pending:"
        " 3 + 2 × 100,000,000 / 100,000,000 = 5.00 (its figure counted as yen, as for every"
        f" claim recorded before {later_rules.FIFTH_RULES_FROM.date()})"
    )
    # A claim in yen recorded then is the same as one recorded now.
    assert scored(claims_model, claim("JPY", as_yen=True)) == scored(claims_model, claim("JPY"))


def test_the_packaged_model_weighs_no_other_currency_and_keeps_its_fingerprint(
    model: RiskModel,
) -> None:
    assert dict(model.claims.yen_per_unit) == {}
    base = model.claims.per_pending_claim
    assert scored(model, claim("USD")).contribution("pending_claims") == base
    # Its table of rates empty, it is the model the scores recorded before the table name
    # (services/risk/README.md); a rate is a weight, and shows.
    assert model.fingerprint == "1:916c0f4e"
    rates = MappingProxyType({"USD": 150.0})
    rated = dataclasses.replace(model.claims, yen_per_unit=rates)
    assert dataclasses.replace(model, claims=rated).fingerprint != model.fingerprint


def filed(currency: str) -> EventEnvelope:
    payload = example("claim.filed", claim_id="u1", filed_on="2023-04-01", currency=currency)
    return parse_event(json.dumps(envelope("claim.filed", payload, VENDOR)))


def test_folding_keeps_the_currency_and_the_rule_of_the_instant_recorded() -> None:
    event = filed("USD")
    rule = later_rules.FIFTH_RULES_FROM
    before = fold_one(VendorState(VENDOR), event, rule - dt.timedelta(microseconds=1))
    after = fold_one(VendorState(VENDOR), event, rule)
    unlogged = fold_one(VendorState(VENDOR), event)
    assert before.claims["u1"].currency == after.claims["u1"].currency == "USD"
    assert before.claims["u1"].amount_as_yen
    assert not after.claims["u1"].amount_as_yen and unlogged == after
    # The facts of a day say the same, folded whole or from the instants given.
    recorded = {event.event_id: rule - dt.timedelta(days=1)}
    assert fold(VENDOR, [event], FILED, recorded).claims == before.claims
