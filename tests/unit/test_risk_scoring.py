"""The risk model and scoring (pure): vendor B's case step by step, each factor, the file.

Facts are built directly, not through a database. Expected contributions are computed here
from the loaded model's weights, so retuning models/v1.toml does not break these tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from services.events.compliance import CertificateKind
from services.events.contract import Criticality
from services.events.emitted import RiskBand
from services.events.incident import IncidentKind, LeakFinding, Severity
from services.events.sanction import SanctionKind
from services.risk.domain.facts import (
    CertificateFact,
    ClaimFact,
    ContractFact,
    IncidentFact,
    SanctionFact,
    SubcontractFact,
    VendorFacts,
)
from services.risk.domain.model import InheritedWeights, ModelError, RiskModel, load_model
from services.risk.domain.risk_score import (
    FACTOR_NAMES,
    RiskScore,
    band_of,
    moved_factors,
    round_points,
    should_announce,
)
from services.risk.domain.scoring import score

D = dt.date
B, SUB = "vendor-b", "vendor-c"
CITY = "city"
TOTALS = {CITY: 12}  # the city's running critical contracts, B's ten included
BAND_ORDER = list(RiskBand)
CONTRACT_END = D(2025, 3, 31)
USB_LOST = D(2022, 6, 21)


@pytest.fixture(scope="module")
def model() -> RiskModel:
    return load_model()


def contract(cid: str, ends: dt.date = CONTRACT_END, agency: str = CITY) -> ContractFact:
    return ContractFact(
        cid, agency, Criticality.RESIDENT_FACING, D(2021, 4, 1), ends, (f"ev-{cid}",)
    )


def b_contracts() -> dict[str, ContractFact]:
    return {f"c-{i:02}": contract(f"c-{i:02}") for i in range(1, 11)}


def incident(
    iid: str = "inc-usb",
    occurred: dt.date = USB_LOST,
    caused_by: str | None = None,
    **kw: Any,
) -> IncidentFact:
    fields: dict[str, Any] = {"kind": IncidentKind.DATA_LOSS, "severity": Severity.HIGH} | kw
    return IncidentFact(iid, B, caused_by, "c-01", occurred_on=occurred, **fields)


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
CLAIM = ClaimFact("claim-1", 50_000_000, D(2022, 11, 28), event_ids=("ev-claim",))
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


def incident_points(
    m: RiskModel, fact: IncidentFact, as_of: dt.date, inherited: bool = False
) -> float:
    w = m.incidents
    age = (as_of - fact.occurred_on).days
    points: float = (
        w.severity_points[fact.severity]
        * w.kind_multiplier[fact.kind]
        * w.leak_multiplier[fact.leak]
        * 0.5 ** (age / w.half_life_days)
    )
    if fact.closed_on is not None and fact.closed_on <= as_of:
        points *= w.closed_multiplier
    return points * m.inherited.multiplier if inherited else points


def contributions(result: RiskScore) -> dict[str, float]:
    return {f.name: f.contribution for f in result.factors}


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


# --- the model file -------------------------------------------------------------------------


def packaged() -> dict[str, Any]:
    text = (files("services.risk") / "models" / "v1.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def to_toml(data: dict[str, Any], prefix: str = "") -> str:
    scalars = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        f"\n[{prefix}{k}]\n" + to_toml(v, f"{prefix}{k}.")
        for k, v in data.items()
        if isinstance(v, dict)
    ]
    return "\n".join(scalars) + "".join(tables) + "\n"


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "model.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    return path


def test_packaged_model_and_fingerprint(model: RiskModel, tmp_path: Path) -> None:
    assert model.version == "1"
    assert re.fullmatch(r"1:[0-9a-f]{8}", model.fingerprint)
    # Same weights, another layout (no comments, ints spelt as floats): same fingerprint.
    data = packaged()
    data["bands"] = {k: float(v) for k, v in data["bands"].items()}
    assert load_model(write(tmp_path, data)).fingerprint == model.fingerprint
    data["claims"]["cap"] += 1
    assert load_model(write(tmp_path, data)).fingerprint != model.fingerprint


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, key = dotted.split(".")
    for name in parents:
        data = data[name]
    if value is _DELETE:
        del data[key]
    else:
        data[key] = value


_DELETE = object()


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("bands.high", _DELETE, "bands.high: missing (required)"),
        ("incidents.severity_points.critical", _DELETE, "severity_points.critical: missing"),
        ("incidents.half_lif_days", 365, "incidents.half_lif_days: unknown key"),
        ("incidents.kind_multiplier.fire", 1.0, "kind_multiplier.fire: unknown key"),
        ("sanctions.active_points.warning", -1, "active_points.warning: must not be negative"),
        ("claims.cap", "15", "claims.cap: expected a number"),
        ("bands.high", 10, "bands.high: 10 must be greater than medium"),
        ("bands.critical", 40, "bands.critical: 40 must be greater than high"),
        ("bands.critical", 101, "bands.critical: 101 is above 100"),
        ("bands.medium", 0, "bands.medium: must be greater than 0"),
        ("incidents.half_life_days", 0, "incidents.half_life_days: must be at least 1"),
        ("concentration.min_contracts", 2.5, "min_contracts: expected an integer"),
        ("version", "1 beta", "version: '1 beta'"),
        ("inherited", 1.0, "inherited: expected a table"),
    ],
)
def test_model_errors_name_the_key(tmp_path: Path, key: str, value: Any, message: str) -> None:
    data = packaged()
    _set(data, key, value)
    path = write(tmp_path, data)
    with pytest.raises(ModelError, match=re.escape(message)) as raised:
        load_model(path)
    assert str(raised.value).startswith(str(path))


def test_unreadable_model_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid TOML"):
        load_model(broken)
    with pytest.raises(ModelError, match="cannot be read"):
        load_model(tmp_path / "absent.toml")
