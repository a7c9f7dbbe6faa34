"""A vendor's risk score as a whole (pure): vendor B's case step by step (each step explained
by the factors that moved, and their events), the score capped at 100, deterministic and
independent of the facts' order, the bands' bounds, and when a new score is announced.

Facts are built directly, not through a database. Expected contributions are computed here
from the loaded model's weights, so retuning models/v1.toml does not break these tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from services.events.emitted import RiskBand, RiskChanged
from services.events.incident import LeakFinding, Severity
from services.events.sanction import SanctionKind
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema
from services.risk.domain.facts import SanctionFact, VendorFacts
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import (
    FACTOR_NAMES,
    Factor,
    RiskScore,
    band_of,
    moved_factors,
    round_points,
    should_announce,
)
from services.risk.domain.scoring import score
from tests.support.scoring_facts import (
    CITY,
    CLAIM,
    B,
    D,
    b_contracts,
    contributions,
    incident,
    incident_points,
)

TOTALS = {CITY: 12}  # the city's running critical contracts, B's ten included
BAND_ORDER = list(RiskBand)


USB_REPORTED = incident(event_ids=("ev-usb-reported",))
USB_INVESTIGATED = dataclasses.replace(
    USB_REPORTED,
    leak=LeakFinding.NOT_CONFIRMED,
    unapproved_subcontracting_found=True,
    investigated_on=D(2022, 7, 1),
    event_ids=("ev-usb-reported", "ev-usb-investigated"),
)
SUSPENSION = SanctionFact(
    "city-2022-001", SanctionKind.BID_SUSPENSION, D(2022, 7, 9), D(2024, 1, 8), ("ev-suspended",)
)


CASE_DAYS = [D(2022, 6, 1), D(2022, 6, 23), D(2022, 7, 1), D(2022, 7, 9), D(2022, 11, 28)]


def case_b(step: int) -> VendorFacts:
    """B after `step` events: 0 none, 1 reported, 2 investigated, 3 suspended, 4 claim."""
    sanctions = {SUSPENSION.sanction_id: SUSPENSION} if step >= 3 else {}
    facts = VendorFacts(B, contracts=b_contracts(), sanctions=sanctions)
    if step >= 1:
        facts.incidents["inc-usb"] = USB_INVESTIGATED if step >= 2 else USB_REPORTED
    if step >= 4:
        facts.claims[CLAIM.claim_id] = CLAIM
    return facts


def test_case_b_step_by_step(model: RiskModel) -> None:
    concentration = round_points(model.concentration.points * 10 / 12)
    w = model.claims
    found = {"unapproved_subcontracting": model.subcontracting.per_unapproved_finding}
    suspended = {"active_sanctions": model.sanctions.active_points[SanctionKind.BID_SUSPENSION]}
    claim = {
        "pending_claims": min(w.cap, w.per_pending_claim + w.per_100m_yen * CLAIM.amount / 1e8)
    }

    def usb(step: int) -> dict[str, float]:
        fact = USB_INVESTIGATED if step >= 2 else USB_REPORTED
        return {"incidents": incident_points(model, fact, CASE_DAYS[step])}

    expected_by_step: list[dict[str, float]] = [
        {},
        usb(1),
        usb(2) | found,
        usb(3) | found | suspended,
        usb(4) | found | suspended | claim,
    ]
    scores: list[RiskScore] = []
    for step, (day, extra) in enumerate(zip(CASE_DAYS, expected_by_step, strict=True)):
        expected = {"concentration": concentration} | {k: round_points(v) for k, v in extra.items()}
        result = score(case_b(step), day, model, TOTALS)
        assert contributions(result) == expected, f"step {step}"
        assert result.score == min(100.0, round_points(sum(expected.values())))
        assert result.band is band_of(result.score, model)
        assert result.model_version == model.fingerprint
        scores.append(result)

    bands = [BAND_ORDER.index(s.band) for s in scores]
    assert bands == sorted(bands), [s.band for s in scores]
    assert scores[0].band is RiskBand.LOW
    assert scores[1].band is not RiskBand.LOW  # the incident report raises the band
    assert bands[3] >= BAND_ORDER.index(RiskBand.HIGH)  # the 18-month suspension in force

    # Each step is explained by the factors that moved, and their events.
    assert moved_factors(scores[1], scores[2]) == ["incidents", "unapproved_subcontracting"]
    assert "active_sanctions" in moved_factors(scores[2], scores[3])
    incidents = scores[2].factor("incidents")
    assert incidents is not None
    assert incidents.evidence[0].event_ids == ("ev-usb-reported", "ev-usb-investigated")
    assert "leak not_confirmed" in incidents.evidence[0].note
    sanction = scores[3].factor("active_sanctions")
    assert sanction is not None and sanction.evidence[0].event_ids == ("ev-suspended",)
    assert "2024-01-08" in sanction.evidence[0].note
    # The suspension's last day is 2024-01-08: from the 9th it is recent, no longer active.
    after = score(case_b(4), D(2024, 1, 9), model, TOTALS)
    assert after.factor("active_sanctions") is None
    recent = model.sanctions.recent_points[SanctionKind.BID_SUSPENSION]
    assert after.contribution("recent_sanctions") == round_points(recent)
    gone = D(2024, 1, 8) + dt.timedelta(days=model.sanctions.recent_days + 1)
    assert score(case_b(4), gone, model, TOTALS).factor("recent_sanctions") is None


def test_score_is_capped_at_100(model: RiskModel) -> None:
    many = {f"i{n}": incident(f"i{n}", severity=Severity.CRITICAL) for n in range(20)}
    debarred = SanctionFact("d1", SanctionKind.DEBARMENT, D(2022, 1, 1), None, ("ev-d",))
    facts = VendorFacts(B, incidents=many, sanctions={"d1": debarred})
    result = score(facts, D(2022, 6, 21), model, {})
    assert result.score == 100.0 and result.band is RiskBand.CRITICAL
    assert sum(f.contribution for f in result.factors) > 100
    assert [e.note.split()[1] for e in result.factors[0].evidence] == sorted(many)


def test_deterministic_and_order_independent(model: RiskModel) -> None:
    facts = case_b(4)
    again = case_b(4)
    reversed_facts = VendorFacts(
        B,
        **{
            name: dict(reversed(list(getattr(facts, name).items())))
            for name in ("incidents", "sanctions", "contracts", "claims")
        },
    )
    first = score(facts, D(2023, 1, 1), model, TOTALS)
    assert first == score(again, D(2023, 1, 1), model, TOTALS)
    assert first == score(reversed_facts, D(2023, 1, 1), model, TOTALS)
    assert [f.name for f in first.factors] == [n for n in FACTOR_NAMES if first.factor(n)]


def test_should_announce_and_moved_factors(model: RiskModel) -> None:
    def at(points: float) -> RiskScore:
        return RiskScore(points, band_of(points, model), model.fingerprint, ())

    low, medium = model.bands.medium - 1, model.bands.medium
    step = model.announce_min_step
    assert not should_announce(None, at(low), model)  # a first score in the low band
    assert should_announce(None, at(medium), model)
    assert should_announce(at(low), at(medium), model)  # band changed, by a point
    assert not should_announce(at(medium), at(medium + step - 0.1), model)
    assert should_announce(at(medium), at(medium + step), model)
    assert should_announce(at(medium + step), at(medium), model)  # downwards too
    first = score(case_b(1), CASE_DAYS[1], model, TOTALS)
    assert moved_factors(None, first) == ["incidents", "concentration"]
    assert moved_factors(first, first) == []
    cleared = score(VendorFacts(B), CASE_DAYS[1], model, TOTALS)
    assert moved_factors(first, cleared) == ["incidents", "concentration"]


def test_band_of_bounds(model: RiskModel) -> None:
    b = model.bands
    assert band_of(0, model) is RiskBand.LOW
    assert band_of(b.medium - 0.1, model) is RiskBand.LOW
    assert band_of(b.medium, model) is RiskBand.MEDIUM
    assert band_of(b.high, model) is RiskBand.HIGH
    assert band_of(b.critical, model) is RiskBand.CRITICAL
    assert round_points(14.45) == 14.5 and round_points(0.04) == 0.0


def test_a_first_announcement_says_every_factor_with_points_moved_and_the_schemas_say_why(
    model: RiskModel,
) -> None:
    """A risk analyst's finding: a vendor scored 10 (two certificates missing, low: never
    announced) then suspended was announced with old_score null and all three factors moved,
    while the schemas said "factors whose points changed". The moves are measured from what
    old_score is, the last announcement, so that each announcement is read against the one
    before it; a first is measured from nothing, and both schemas now say so."""

    def at(*points: tuple[str, float]) -> RiskScore:
        total = sum(p for _, p in points)
        factors = tuple(Factor(name, p, ()) for name, p in points)
        return RiskScore(total, band_of(total, model), model.fingerprint, factors)

    missing = (("missing_erasure_certificates", 5.0), ("missing_disposal_certificates", 5.0))
    before, suspended = at(*missing), at(("active_sanctions", 30.0), *missing)
    assert not should_announce(None, before, model) and should_announce(None, suspended, model)
    assert moved_factors(None, suspended) == [
        "active_sanctions",
        "missing_erasure_certificates",
        "missing_disposal_certificates",
    ]
    assert moved_factors(before, suspended) == ["active_sanctions"]  # had it been announced
    first = "in its first (`old_score` null), every factor with points"
    described = RiskChanged.model_json_schema()["properties"]["moved_factors"]["description"]
    assert "since the vendor's last announcement (`old_score`)" in described and first in described
    graphql = build_schema(Limits()).as_str()
    assert "since the vendor's last announcement (`oldScore`" in graphql
    assert "in its first (`oldScore` null), every factor with points" in graphql
