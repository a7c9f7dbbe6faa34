"""Risk facts as the scoring tests build them, directly rather than through a database (pure):
vendor B (`B`) and its subcontractor (`SUB`), B's ten resident-facing contracts at the city, the
lost USB memory's incident, a pending claim; and the points the model's own weights give an
incident, for the tests' expected contributions (so retuning models/v1.toml breaks none)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.contract import Criticality
from services.events.incident import IncidentKind, Severity
from services.risk.domain.facts import ClaimFact, ContractFact, IncidentFact
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import RiskScore

D = dt.date
B, SUB = "vendor-b", "vendor-c"
CITY = "city"
CONTRACT_END = D(2025, 3, 31)
USB_LOST = D(2022, 6, 21)


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


CLAIM = ClaimFact("claim-1", 50_000_000, D(2022, 11, 28), event_ids=("ev-claim",))


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
