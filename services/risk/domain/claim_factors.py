"""The pending-claims factor's items (pure): each claim not settled, weighed by its amount in
yen, and a note that names the currency it was claimed in.

The model's weight is points per ¥100M claimed. A claim in yen counts its amount; one in
another currency counts its amount at the model's rate for that currency (`[claims.yen_per_unit]`,
an assumption of the model, the same for every day scored, so a score is reproducible), and,
without a rate, its base points only, saying why. A claim filed by an event the log recorded
before that rule (`later_rules.FIFTH_RULES_FROM`) counts its figure as yen, as live
processing counted it, and says so.
"""

from __future__ import annotations

from services.events.currencies import minor_digits, not_payable
from services.platform.eventstore import later_rules
from services.risk.domain.factor_items import Item, num
from services.risk.domain.facts import ClaimFact, VendorFacts
from services.risk.domain.model import ClaimWeights, RiskModel
from services.risk.domain.money import YEN, in_units, written
from services.risk.domain.risk_score import Evidence

YEN_PER_100M = 100_000_000


def claim_items(facts: VendorFacts, model: RiskModel) -> list[Item]:
    items: list[Item] = []
    for claim in facts.claims.values():
        if claim.settled_on is None:
            points, note = _weighed(claim, model.claims)
            key = (claim.filed_on.isoformat(), claim.claim_id)
            items.append((key, points, Evidence(claim.event_ids, note)))
    return items


def _weighed(claim: ClaimFact, weights: ClaimWeights) -> tuple[float, str]:
    """A pending claim's points and its note."""
    base = weights.per_pending_claim
    claimed = f"claim {claim.claim_id} filed on {claim.filed_on} for"
    amount = written(claim.amount, claim.currency)
    if claim.currency == YEN or claim.amount_as_yen:
        points = base + weights.per_100m_yen * claim.amount / YEN_PER_100M
        sum_ = _sum(weights, f"{claim.amount:,}", points)
        if claim.currency == YEN:
            return points, f"{claimed} {amount}, pending: {sum_}"
        since = later_rules.FIFTH_RULES_FROM.date()
        return points, (
            f"{claimed} {amount}, pending: {sum_} (its figure counted as yen, as for every"
            f" claim recorded before {since})"
        )
    rate = weights.yen_per_unit.get(claim.currency)
    digits = minor_digits(claim.currency)
    if rate is None or digits is None:
        # A code no amount may be in (stored before the API refused it, or sent past it) has
        # no rate a model could give (model.py refuses one): the note says so, not that the
        # model lacks a rate.
        unweighable = not_payable(claim.currency)
        why = (
            f"{claim.currency} is {unweighable}"
            if unweighable
            else f"the model gives no yen rate for {claim.currency}"
        )
        return base, f"{claimed} {amount}, pending: {num(base)} (its amount is not weighed: {why})"
    yen = float(in_units(claim.amount, digits)) * rate
    points = base + weights.per_100m_yen * yen / YEN_PER_100M
    return points, (
        f"{claimed} {amount} ({yen:,.0f} yen at the model's {num(rate)} yen per"
        f" {claim.currency}), pending: {_sum(weights, f'{yen:,.0f}', points)}"
    )


def _sum(weights: ClaimWeights, yen: str, points: float) -> str:
    """The points as a person checks them: base + weight × yen / 100,000,000."""
    return (
        f"{num(weights.per_pending_claim)} + {num(weights.per_100m_yen)} × {yen} / 100,000,000"
        f" = {points:.2f}"
    )
