"""The sanction factors' items (pure): the sanctions in force on a day, or ended lately, each
with its points and a note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from services.risk.domain.factor_items import Item, num
from services.risk.domain.facts import SanctionFact, SanctionSource, VendorFacts
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import Evidence


def counted_sanctions(
    facts: VendorFacts, as_of: dt.date, model: RiskModel, active: bool
) -> Iterator[tuple[SanctionFact, float]]:
    """The sanctions the factor counts (in force on the day, or ended lately), with points."""
    weights = model.sanctions
    for sanction in facts.sanctions.values():
        last = sanction.last_day
        if active:
            if sanction.starts_on <= as_of and (last is None or as_of <= last):
                yield sanction, weights.active_points[sanction.kind]
        elif (
            last is not None
            and sanction.starts_on <= last < as_of
            and (as_of - last).days <= weights.recent_days
        ):
            yield sanction, weights.recent_points[sanction.kind]


def sanction_key(sanction: SanctionFact | SanctionSource) -> tuple[dt.date, str]:
    return sanction.starts_on, sanction.sanction_id  # as incident_key


def sanction_items(
    facts: VendorFacts, as_of: dt.date, model: RiskModel, active: bool
) -> list[Item]:
    items: list[Item] = []
    for sanction, points in counted_sanctions(facts, as_of, model, active):
        last = sanction.last_day
        if active:
            until = "indefinitely" if last is None else f"to {last}"
            state = f"in force from {sanction.starts_on} {until}"
        elif last is not None:  # always, for a sanction that ended
            ago = (as_of - last).days
            state = (
                f"in force {sanction.starts_on} to {last}, ended {ago} day{'s' * (ago != 1)} ago"
            )
        else:
            continue
        note = f"{sanction.kind.value} {sanction.sanction_id} {state}: {num(points)}"
        items.append((sanction_key(sanction), points, Evidence(sanction.event_ids, note)))
    return items
