"""Explainable risk scores (pure): a vendor's facts and a model in, a score with its reasons out.

Every factor's contribution is rounded to one decimal and lists the events behind it, so a
person can check the score by hand: add the contributions, cap at 100. The weights and what
they do are documented in ``models/v1.toml``. Nothing here reads a clock or draws a random
number: the same facts, day and model always give the same score.

Factor names (stable; dashboards and `risk.changed` events use them):
    incidents                      the vendor's own incidents, decaying with age
    inherited_incidents            its subcontractors' incidents on its contracts
    active_sanctions               sanctions in force on the day
    recent_sanctions               sanctions that ended within the model's recent_days
    unapproved_subcontracting      investigations finding it, and requests left unanswered
    subcontract_chain_depth        levels of re-subcontracting on its running contracts
    missing_erasure_certificates   ended contracts without a data-erasure certificate
    missing_disposal_certificates  ended contracts without a media-disposal certificate
    missing_fitness_documents      subcontracts approved without a fitness certificate
    pending_claims                 damages claims not yet settled
    concentration                  its share of one agency's critical contracts
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from services.events.compliance import CertificateKind
from services.events.contract import Criticality
from services.risk.domain.claim_factors import claim_items
from services.risk.domain.factor_items import Item, factor, num
from services.risk.domain.facts import (
    ContractFact,
    IncidentFact,
    SubcontractFact,
    VendorFacts,
)
from services.risk.domain.incident_factors import incident_items, other_vendor
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import (
    FACTOR_NAMES,
    Evidence,
    Factor,
    RiskScore,
    total_of,
)
from services.risk.domain.sanction_factors import sanction_items

# The contracts whose concentration is a risk; an agency's totals passed to `score` must count
# exactly these (running on the day, every vendor's, the scored vendor's included).
CRITICAL_CRITICALITIES = frozenset({Criticality.RESIDENT_FACING, Criticality.LEGALLY_MANDATED})


def unapproved(
    facts: VendorFacts, model: RiskModel
) -> Iterator[tuple[tuple[str, str], float, IncidentFact | SubcontractFact, dt.date | None]]:
    """What the unapproved-subcontracting factor may count, each with its sort key, points
    and the first day it counts (None: any day), in the order the factor takes them; terms.py
    counts the same without the notes."""
    weights = model.subcontracting
    for incident in facts.incidents.values():
        if incident.unapproved_subcontracting_found:
            key = (
                (incident.investigated_on or incident.occurred_on).isoformat(),
                incident.incident_id,
            )
            yield key, weights.per_unapproved_finding, incident, None
    grace = dt.timedelta(days=weights.approval_grace_days + 1)
    for sub in facts.subcontracts.values():
        if sub.approved_on is None and sub.rejected_on is None:
            yield (
                (sub.requested_on.isoformat(), sub.subcontract_id),
                weights.per_unapproved_subcontract,
                sub,
                sub.requested_on + grace,  # waiting longer than the grace days
            )


def _unapproved_items(facts: VendorFacts, as_of: dt.date, model: RiskModel) -> list[Item]:
    items: list[Item] = []
    for key, points, found, counts_from in unapproved(facts, model):
        if counts_from is not None and as_of < counts_from:
            continue
        if isinstance(found, IncidentFact):
            note = (
                f"investigation of incident {found.incident_id} on {found.investigated_on} "
                f"found unapproved subcontracting: {num(points)}"
            )
            evidence = Evidence(found.event_ids, note, other_vendor(found, facts.vendor_id))
        else:
            note = (
                f"subcontract {found.subcontract_id} of contract {found.contract_id} requested"
                f" on {found.requested_on}, not approved after"
                f" {(as_of - found.requested_on).days} days: {num(points)}"
            )
            evidence = Evidence(found.event_ids, note, found.subcontractor_vendor_id)
        items.append((key, points, evidence))
    return items


def _chain(
    sub: SubcontractFact, subs: Mapping[str, SubcontractFact]
) -> tuple[int, list[SubcontractFact]]:
    """The depth of a subcontract and its chain, deepest first (an unknown parent: 1 level)."""
    chain, parent = [sub], sub.parent_subcontract_id
    while parent is not None and parent not in {s.subcontract_id for s in chain}:
        if (found := subs.get(parent)) is None:
            return len(chain) + 1, chain
        chain.append(found)
        parent = found.parent_subcontract_id
    return len(chain), chain


def _chain_items(facts: VendorFacts, as_of: dt.date, model: RiskModel) -> list[Item]:
    deepest: dict[str, tuple[int, list[SubcontractFact]]] = {}
    for sub in sorted(facts.subcontracts.values(), key=lambda s: s.subcontract_id):
        if sub.rejected_on is not None:
            continue
        contract = facts.contracts.get(sub.contract_id)
        if contract is not None and contract.ends_on < as_of:
            continue
        depth, chain = _chain(sub, facts.subcontracts)
        if depth > deepest.get(sub.contract_id, (1, []))[0]:
            deepest[sub.contract_id] = (depth, chain)
    items: list[Item] = []
    for contract_id, (depth, chain) in deepest.items():
        points = model.subcontracting.per_chain_level * (depth - 1)
        vendors = " → ".join(s.subcontractor_vendor_id for s in reversed(chain))
        note = (
            f"contract {contract_id}: subcontracted {depth} levels deep ({vendors}): "
            f"{depth - 1} × {num(model.subcontracting.per_chain_level)}"
        )
        event_ids = tuple(eid for s in reversed(chain) for eid in s.event_ids)
        evidence = Evidence(event_ids, note, chain[0].subcontractor_vendor_id)
        items.append(((contract_id, ""), points, evidence))
    return items


def missing_factor(
    name: str, uncovered: Iterable[ContractFact], kind: CertificateKind, points: float
) -> Factor:
    """A missing-certificates factor: `points` for each of the contracts ended without a
    `kind` certificate (in any order; ordered by end day as a person reads them)."""
    return factor(name, [_missing_item(contract, kind, points) for contract in uncovered])


# A vendor with many ended contracts lists each of them in every score: the same item, made
# once (it depends on nothing but the contract, the kind and the weight).
@functools.lru_cache(maxsize=1 << 16)
def _missing_item(contract: ContractFact, kind: CertificateKind, points: float) -> Item:
    note = (
        f"contract {contract.contract_id} ({contract.agency}) ended on {contract.ends_on} "
        f"with no {kind.value} certificate: {num(points)}"
    )
    key = (contract.ends_on.isoformat(), contract.contract_id)
    return (key, points, Evidence(contract.event_ids, note))


def _fitness_items(facts: VendorFacts, model: RiskModel) -> list[Item]:
    points = model.compliance.per_missing_fitness
    items: list[Item] = []
    for sub in facts.subcontracts.values():
        approved = sub.approved_on
        if approved is None or sub.fitness_certificate_ids:
            continue
        if any(
            c.kind is CertificateKind.SUBCONTRACTOR_FITNESS
            and c.subcontract_id == sub.subcontract_id
            and c.submitted_on <= approved
            for c in facts.certificates.values()
        ):
            continue
        note = (
            f"subcontract {sub.subcontract_id} of contract {sub.contract_id} approved on "
            f"{approved} without a subcontractor_fitness certificate: {num(points)}"
        )
        key = (approved.isoformat(), sub.subcontract_id)
        items.append((key, points, Evidence(sub.event_ids, note, sub.subcontractor_vendor_id)))
    return items


def _concentration_items(
    facts: VendorFacts,
    as_of: dt.date,
    model: RiskModel,
    agency_critical_totals: Mapping[str, int],
) -> list[Item]:
    weights = model.concentration
    held: dict[str, list[str]] = {}
    for contract in facts.contracts.values():
        if contract.criticality in CRITICAL_CRITICALITIES and contract.active_on(as_of):
            held.setdefault(contract.agency, []).append(contract.contract_id)
    shares = [
        (len(ids) / total, agency, len(ids), total)
        for agency, ids in sorted(held.items())
        if (total := max(agency_critical_totals.get(agency, 0), len(ids))) >= weights.min_contracts
    ]
    if not shares:
        return []
    share, agency, count, total = max(shares, key=lambda found: found[0])  # first if tied
    points = weights.points * share
    contract_ids = sorted(held[agency])
    event_ids = tuple(eid for cid in contract_ids for eid in facts.contracts[cid].event_ids)
    note = (
        f"holds {count} of the {total} running critical contracts of {agency} "
        f"({share:.1%}): {num(weights.points)} × {count}/{total} = {points:.2f}"
    )
    return [((agency, ""), points, Evidence(event_ids, note))]


# The factors in their fixed order, each with what of a vendor's record it reads (the item
# kinds of `VendorFacts`) and whether it depends on the day: what a factor may be reused for
# (factor_memo.py) when neither changed. Concentration also reads the agencies' totals. And
# the fields whose items it counts: with none of those on the record, it counts nothing.
FactorFunction = Callable[[VendorFacts, dt.date, RiskModel, Mapping[str, int]], Factor]


def missing_points(kind: CertificateKind, model: RiskModel) -> float:
    """Points per ended contract without a certificate of `kind`."""
    compliance = model.compliance
    if kind is CertificateKind.DATA_ERASURE:
        return compliance.per_missing_erasure
    return compliance.per_missing_disposal


def _missing_factor(name: str, kind: CertificateKind) -> FactorFunction:
    def factor(
        facts: VendorFacts, as_of: dt.date, model: RiskModel, _: Mapping[str, int]
    ) -> Factor:
        covered = {c.contract_id for c in facts.certificates.values() if c.kind is kind}
        uncovered = (
            contract
            for contract in facts.contracts.values()
            if contract.ends_on < as_of and contract.contract_id not in covered
        )
        return missing_factor(name, uncovered, kind, missing_points(kind, model))

    return factor


@dataclass(frozen=True)
class FactorRule:
    name: str
    reads: frozenset[str]  # fields of VendorFacts
    daily: bool  # changes with the day, the record unchanged
    compute: FactorFunction
    # The fields whose items it counts (a subset of `reads`): none on the record, no points
    # whatever the day, the model or the totals (tests/unit/test_risk_factor_memo.py checks it).
    counts: frozenset[str]


FACTOR_RULES: tuple[FactorRule, ...] = (
    FactorRule(
        "incidents",
        frozenset({"incidents"}),
        True,
        lambda f, d, m, _: factor("incidents", incident_items(f, d, m, inherited=False)),
        counts=frozenset({"incidents"}),
    ),
    FactorRule(
        "inherited_incidents",
        frozenset({"incidents"}),
        True,
        lambda f, d, m, _: factor("inherited_incidents", incident_items(f, d, m, inherited=True)),
        counts=frozenset({"incidents"}),
    ),
    FactorRule(
        "active_sanctions",
        frozenset({"sanctions"}),
        True,
        lambda f, d, m, _: factor("active_sanctions", sanction_items(f, d, m, active=True)),
        counts=frozenset({"sanctions"}),
    ),
    FactorRule(
        "recent_sanctions",
        frozenset({"sanctions"}),
        True,
        lambda f, d, m, _: factor("recent_sanctions", sanction_items(f, d, m, active=False)),
        counts=frozenset({"sanctions"}),
    ),
    FactorRule(
        "unapproved_subcontracting",
        frozenset({"incidents", "subcontracts"}),
        True,
        lambda f, d, m, _: factor("unapproved_subcontracting", _unapproved_items(f, d, m)),
        counts=frozenset({"incidents", "subcontracts"}),
    ),
    FactorRule(
        "subcontract_chain_depth",
        frozenset({"subcontracts", "contracts"}),
        True,
        lambda f, d, m, _: factor("subcontract_chain_depth", _chain_items(f, d, m)),
        counts=frozenset({"subcontracts"}),
    ),
    FactorRule(
        "missing_erasure_certificates",
        frozenset({"contracts", "certificates"}),
        True,
        _missing_factor("missing_erasure_certificates", CertificateKind.DATA_ERASURE),
        counts=frozenset({"contracts"}),
    ),
    FactorRule(
        "missing_disposal_certificates",
        frozenset({"contracts", "certificates"}),
        True,
        _missing_factor("missing_disposal_certificates", CertificateKind.MEDIA_DISPOSAL),
        counts=frozenset({"contracts"}),
    ),
    FactorRule(
        "missing_fitness_documents",
        frozenset({"subcontracts", "certificates"}),
        False,
        lambda f, d, m, _: factor("missing_fitness_documents", _fitness_items(f, m)),
        counts=frozenset({"subcontracts"}),
    ),
    FactorRule(
        "pending_claims",
        frozenset({"claims"}),
        False,
        lambda f, d, m, _: factor("pending_claims", claim_items(f, m), cap=m.claims.cap),
        counts=frozenset({"claims"}),
    ),
    FactorRule(
        "concentration",
        frozenset({"contracts"}),
        True,
        lambda f, d, m, totals: factor("concentration", _concentration_items(f, d, m, totals)),
        counts=frozenset({"contracts"}),
    ),
)
assert tuple(rule.name for rule in FACTOR_RULES) == FACTOR_NAMES


def score(
    facts: VendorFacts,
    as_of: dt.date,
    model: RiskModel,
    agency_critical_totals: Mapping[str, int],
) -> RiskScore:
    """The vendor's risk on `as_of`, every point traced to the events behind it.

    `agency_critical_totals`: per agency, the number of its critical contracts (see
    CRITICAL_CRITICALITIES) running on `as_of`, all vendors' together. An agency missing from
    it is taken to have only the vendor's own.
    """
    return total_of(
        [rule.compute(facts, as_of, model, agency_critical_totals) for rule in FACTOR_RULES],
        model,
    )
