"""Each factor of the risk score (pure): incidents (decaying, discounted once closed, and
inherited from a subcontractor), certificates missing after a contract ends, subcontracts
(approval, fitness documents, chain depth), sanctions not started, voided or indefinite,
concentration at an agency, and pending claims (capped).

Facts are built directly, not through a database. Expected contributions are computed here
from the loaded model's weights, so retuning models/v1.toml does not break these tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from services.events.compliance import CertificateKind
from services.events.contract import Criticality
from services.events.incident import IncidentKind, LeakFinding, Severity
from services.events.sanction import SanctionKind
from services.risk.domain.facts import (
    CertificateFact,
    ClaimFact,
    SanctionFact,
    SubcontractFact,
    VendorFacts,
)
from services.risk.domain.model import InheritedWeights, RiskModel
from services.risk.domain.risk_score import round_points
from services.risk.domain.scoring import score
from tests.support.scoring_facts import (
    CITY,
    CLAIM,
    SUB,
    B,
    D,
    b_contracts,
    contract,
    contributions,
    incident,
    incident_points,
)


def test_subcontractors_incident_is_inherited_by_the_prime(model: RiskModel) -> None:
    day = D(2022, 9, 1)
    theirs = incident("inc-sub", D(2022, 8, 1), caused_by=SUB, event_ids=("ev-sub",))
    prime = score(VendorFacts(B, incidents={"inc-sub": theirs}), day, model, {})
    assert prime.factor("incidents") is None
    inherited = prime.factor("inherited_incidents")
    assert inherited is not None
    assert inherited.contribution == round_points(incident_points(model, theirs, day, True))
    assert inherited.evidence[0].vendor_id == SUB
    assert inherited.evidence[0].event_ids == ("ev-sub",)

    own = score(VendorFacts(SUB, incidents={"inc-sub": theirs}), day, model, {})
    assert own.factor("inherited_incidents") is None
    assert own.contribution("incidents") == round_points(incident_points(model, theirs, day))
    assert own.factors[0].evidence[0].vendor_id == B  # the record it is on

    halved = dataclasses.replace(model, inherited=InheritedWeights(0.5))
    assert halved.fingerprint != model.fingerprint
    weaker = score(VendorFacts(B, incidents={"inc-sub": theirs}), day, halved, {})
    expected = round_points(incident_points(halved, theirs, day, True))
    assert weaker.contribution("inherited_incidents") == expected


def test_decay_halves_after_the_half_life_and_closing_discounts(model: RiskModel) -> None:
    fact = incident(severity=Severity.CRITICAL, kind=IncidentKind.DATA_LEAK)
    facts = VendorFacts(B, incidents={"inc-usb": fact})
    fresh = score(facts, fact.occurred_on, model, {}).contribution("incidents")
    later = fact.occurred_on + dt.timedelta(days=model.incidents.half_life_days)
    w = model.incidents
    base = (
        w.severity_points[Severity.CRITICAL]
        * w.kind_multiplier[IncidentKind.DATA_LEAK]
        * w.leak_multiplier[LeakFinding.PENDING]
    )
    assert fresh == round_points(base)
    assert score(facts, later, model, {}).contribution("incidents") == round_points(base / 2)
    closed = VendorFacts(B, incidents={"inc-usb": dataclasses.replace(fact, closed_on=later)})
    expected = round_points(base / 2 * w.closed_multiplier)
    assert score(closed, later, model, {}).contribution("incidents") == expected


def test_missing_certificates_after_a_contract_ends(model: RiskModel) -> None:
    ended = contract("c-old", ends=D(2023, 3, 31))
    facts = VendorFacts(B, contracts={"c-old": ended})
    assert score(facts, D(2023, 3, 31), model, {}).factors == ()  # last day: not ended yet
    result = score(facts, D(2023, 4, 1), model, {})
    c = model.compliance
    assert contributions(result) == {
        "missing_erasure_certificates": round_points(c.per_missing_erasure),
        "missing_disposal_certificates": round_points(c.per_missing_disposal),
    }
    assert result.factors[0].evidence[0].event_ids == ("ev-c-old",)
    cert = CertificateFact(
        "cert-1", CertificateKind.DATA_ERASURE, "c-old", None, D(2023, 4, 5), "e"
    )
    facts.certificates["cert-1"] = cert
    later = score(facts, D(2023, 4, 6), model, {})
    assert [f.name for f in later.factors] == ["missing_disposal_certificates"]


def test_subcontracts_fitness_approval_and_chain_depth(model: RiskModel) -> None:
    s, c = model.subcontracting, model.compliance
    sub1 = SubcontractFact(
        "s1", "c-01", SUB, None, D(2023, 1, 10), D(2023, 1, 20), event_ids=("e1",)
    )
    sub2 = SubcontractFact("s2", "c-01", "vendor-d", "s1", D(2023, 2, 1), event_ids=("e2",))
    sub3 = SubcontractFact("s3", "c-01", "vendor-e", "s2", D(2023, 2, 1), event_ids=("e3",))
    facts = VendorFacts(
        B, contracts=b_contracts(), subcontracts={"s1": sub1, "s2": sub2, "s3": sub3}
    )
    grace_end = D(2023, 2, 1) + dt.timedelta(days=s.approval_grace_days)
    within = score(facts, grace_end, model, {})
    assert within.factor("unapproved_subcontracting") is None
    result = score(facts, grace_end + dt.timedelta(days=1), model, {})
    found = contributions(result)
    assert found["unapproved_subcontracting"] == round_points(2 * s.per_unapproved_subcontract)
    assert found["subcontract_chain_depth"] == round_points(2 * s.per_chain_level)
    depth = result.factor("subcontract_chain_depth")
    assert depth is not None and depth.evidence[0].event_ids == ("e1", "e2", "e3")
    assert depth.evidence[0].vendor_id == "vendor-e"
    assert found["missing_fitness_documents"] == round_points(c.per_missing_fitness)
    # A fitness certificate submitted by the approval day, or listed in it, is enough.
    fit = CertificateFact(
        "f1", CertificateKind.SUBCONTRACTOR_FITNESS, "c-01", "s1", D(2023, 1, 20), "e"
    )
    facts.certificates["f1"] = fit
    assert score(facts, D(2023, 6, 1), model, {}).factor("missing_fitness_documents") is None
    facts.certificates["f1"] = dataclasses.replace(fit, submitted_on=D(2023, 1, 21))
    assert score(facts, D(2023, 6, 1), model, {}).factor("missing_fitness_documents") is not None
    facts.subcontracts["s1"] = dataclasses.replace(sub1, fitness_certificate_ids=("f0",))
    assert score(facts, D(2023, 6, 1), model, {}).factor("missing_fitness_documents") is None
    # A rejected re-subcontract no longer counts as a request nor as a level.
    facts.subcontracts["s3"] = dataclasses.replace(sub3, rejected_on=D(2023, 2, 5))
    after = contributions(score(facts, D(2023, 6, 1), model, {}))
    assert after["subcontract_chain_depth"] == round_points(s.per_chain_level)
    assert after["unapproved_subcontracting"] == round_points(s.per_unapproved_subcontract)


def test_sanctions_not_started_voided_or_indefinite_and_odd_chains(model: RiskModel) -> None:
    day = D(2023, 1, 1)
    warning = SanctionFact("w", SanctionKind.WARNING, D(2023, 2, 1), None, ("ev-w",))
    voided = SanctionFact("v", SanctionKind.DEBARMENT, D(2022, 12, 1), D(2022, 11, 30), ("v",))
    assert (
        score(VendorFacts(B, sanctions={"w": warning, "v": voided}), day, model, {}).factors == ()
    )
    years_later = score(VendorFacts(B, sanctions={"w": warning}), D(2030, 1, 1), model, {})
    expected = round_points(model.sanctions.active_points[SanctionKind.WARNING])
    assert years_later.contribution("active_sanctions") == expected
    # An unknown parent counts as one level; a cycle of parents ends the chain.
    fit: dict[str, Any] = {"approved_on": day, "fitness_certificate_ids": ("f",)}
    orphan = SubcontractFact("s9", "c-x", SUB, "s-unknown", day, **fit)
    loop_a = SubcontractFact("a", "c-y", SUB, "b", day, **fit)
    loop_b = SubcontractFact("b", "c-y", "vendor-d", "a", day, **fit)
    facts = VendorFacts(B, subcontracts={"s9": orphan, "a": loop_a, "b": loop_b})
    expected = round_points(2 * model.subcontracting.per_chain_level)
    assert contributions(score(facts, day, model, {})) == {"subcontract_chain_depth": expected}


def test_concentration(model: RiskModel) -> None:
    w = model.concentration
    held = {f"k-{i}": contract(f"k-{i}", agency="ward") for i in range(w.min_contracts)}
    facts = VendorFacts(B, contracts=held | b_contracts())
    totals = {"ward": w.min_contracts, CITY: 40}
    best = score(facts, D(2023, 1, 1), model, totals).factor("concentration")
    assert best is not None and best.contribution == round_points(w.points)  # all of ward's
    assert best.evidence[0].event_ids == tuple(f"ev-k-{i}" for i in range(w.min_contracts))
    if w.min_contracts > 1:  # an agency with too few is ignored: the city's share counts
        fewer = {k: v for k, v in held.items() if k != "k-0"} | b_contracts()
        few = {"ward": w.min_contracts - 1, CITY: 40}
        result = score(VendorFacts(B, contracts=fewer), D(2023, 1, 1), model, few)
        assert result.contribution("concentration") == round_points(w.points * 10 / 40)
    internal = dataclasses.replace(contract("x"), criticality=Criticality.INTERNAL)
    assert score(VendorFacts(B, contracts={"x": internal}), D(2023, 1, 1), model, {}).factors == ()
    ended = score(facts, D(2025, 4, 1), model, totals)
    assert ended.factor("concentration") is None


def test_pending_claim_then_settled_and_claims_cap(model: RiskModel) -> None:
    facts = VendorFacts(B, claims={"claim-1": CLAIM})
    w = model.claims
    expected = round_points(min(w.cap, w.per_pending_claim + w.per_100m_yen * 0.5))
    assert score(facts, D(2022, 12, 1), model, {}).contribution("pending_claims") == expected
    facts.claims["claim-1"] = dataclasses.replace(CLAIM, settled_on=D(2023, 3, 1))
    assert score(facts, D(2023, 3, 1), model, {}).factors == ()
    huge = ClaimFact("claim-2", 10**12, D(2022, 12, 1), event_ids=("ev-2",))
    capped = score(VendorFacts(B, claims={"claim-2": huge}), D(2023, 1, 1), model, {})
    assert capped.contribution("pending_claims") == round_points(w.cap)
