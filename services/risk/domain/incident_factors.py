"""The incident factors' items (pure): which incidents a vendor answers for, its own or a
subcontractor's on its record, each decayed with age and explained in a note."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator

from services.events.incident import LeakFinding
from services.risk.domain.factor_items import Item, num
from services.risk.domain.facts import IncidentFact, VendorFacts
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import Evidence


def causer(incident: IncidentFact) -> str:
    return incident.caused_by_vendor_id or incident.reported_by_vendor_id


def other_vendor(incident: IncidentFact, vendor_id: str) -> str | None:
    """The other vendor involved: the subcontractor that caused it, or the record's prime."""
    others = {incident.reported_by_vendor_id, causer(incident)} - {vendor_id}
    return next(iter(others), None)


def counts_as(incident: IncidentFact, vendor_id: str, inherited: bool) -> bool:
    """Whether an incident factor counts the incident. Own: the vendor caused it (on its
    record or another's). Inherited: on its record, caused by another (a subcontractor)."""
    own = causer(incident) == vendor_id
    return inherited != own and (own or incident.reported_by_vendor_id == vendor_id)


class DecayTable(dict[int, float]):
    """An incident's decay at each age in days, `0.5 ** (age / half_life_days)`, computed the
    first time an age is asked: a vendor's incidents are decayed for every day it is scored
    on, and the same ages recur (the same float: the same expression)."""

    def __init__(self, half_life_days: float) -> None:
        super().__init__()
        self.half_life_days = half_life_days

    def __missing__(self, age: int) -> float:
        decay: float = 0.5 ** (age / self.half_life_days)
        self[age] = decay
        return decay


@functools.lru_cache(maxsize=16)
def decay_table(half_life_days: float) -> DecayTable:
    """The decay table of a model's half-life (ages: at most the days the log spans)."""
    return DecayTable(half_life_days)


def counted_incidents(
    facts: VendorFacts, as_of: dt.date, model: RiskModel, inherited: bool
) -> Iterator[tuple[IncidentFact, int, bool, float]]:
    """The incidents the factor counts, each with its age, whether closed, and its points."""
    weights = model.incidents
    decays = decay_table(weights.half_life_days)
    for incident in facts.incidents.values():
        if not counts_as(incident, facts.vendor_id, inherited):
            continue
        age = max(0, (as_of - incident.occurred_on).days)
        decay = decays[age]
        closed = incident.closed_on is not None and incident.closed_on <= as_of
        points = (
            weights.severity_points[incident.severity]
            * weights.kind_multiplier[incident.kind]
            * weights.leak_multiplier[incident.leak]
            * decay
        )
        if closed:
            points *= weights.closed_multiplier
        if inherited:
            points *= model.inherited.multiplier
        yield incident, age, closed, points


def incident_key(incident: IncidentFact) -> tuple[dt.date, str]:
    # The day, not its ISO text: the same order, without writing a text for each incident
    # every time a vendor's incident terms are made again (terms.py).
    return incident.occurred_on, incident.incident_id


def incident_items(
    facts: VendorFacts, as_of: dt.date, model: RiskModel, inherited: bool
) -> list[Item]:
    weights = model.incidents
    items: list[Item] = []
    for incident, age, closed, points in counted_incidents(facts, as_of, model, inherited):
        severity = weights.severity_points[incident.severity]
        kind = weights.kind_multiplier[incident.kind]
        leak = weights.leak_multiplier[incident.leak]
        formula = f"{num(severity)} × {num(kind)} × {num(leak)}"
        if closed:
            formula += f" × closed {num(weights.closed_multiplier)}"
        if inherited:
            formula += f" × inherited {num(model.inherited.multiplier)}"
        formula += f" × decay 0.5^({age}/{weights.half_life_days})"
        other = other_vendor(incident, facts.vendor_id)
        where = ""
        if other is not None:
            where = f", caused by {other}" if inherited else f", on {other}'s record"
        leak_text = "pending" if incident.leak is LeakFinding.PENDING else incident.leak.value
        note = (
            f"incident {incident.incident_id} ({incident.kind.value}, {incident.severity.value}) "
            f"on {incident.occurred_on}{where}, leak {leak_text}"
            f"{', closed' if closed else ''}: {formula} = {points:.2f}"
        )
        items.append((incident_key(incident), points, Evidence(incident.event_ids, note, other)))
    return items
