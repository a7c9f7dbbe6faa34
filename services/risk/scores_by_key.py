"""The scores `RiskScore` ids name, read again by their keys (`node(id:)`), each as the query
that served it reads it: a day's score computed when asked (`riskScore`: vendor and day), an
entry of the history (`riskHistory`: vendor and event id), and a vendor's stored current score
(`riskiestVendors`: vendor, day and `stored`). The stored one may lag the computed one of the
same day (ARCHITECTURE.md, "Scores that other vendors' contracts move"), so they are two
objects with two ids, never one id for two scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from services.platform.graphql.context import Info
from services.platform.graphql.nodes import Key
from services.platform.postgres.database import Connection
from services.registry.domain.era_dates import within_years
from services.risk import current_scores
from services.risk import history as risk_history
from services.risk.domain.risk_score import RiskScore
from services.risk.evidence_scope import hidden_of
from services.risk.handlers import RiskService
from services.risk.storage import history_reads

# The last part of the key of a vendor's stored current score: `<vendor>/<day>/stored`.
STORED = "stored"

# Which of these vendor ids the registry has registered. Risk sees only facts: a vendor
# registered with nothing against it and an id nobody registered have the same empty record,
# both scored 0, LOW. The gateway, which composes the services, gives the registry's answer
# (a look-up by primary key).
Registered = Callable[[Connection, Sequence[str]], Awaitable[set[str]]]


@dataclass(frozen=True)
class Found:
    """A score a key names, with what its object shows besides."""

    vendor_id: str
    as_of: dt.date
    score: RiskScore
    event_id: str | None = None  # a history entry's event
    stored: bool = False  # the stored current score


def day_part(part: str) -> dt.date | None:
    """A key part that is a day (ISO 8601, as written) within the years the registry reads,
    or None. `riskScore(asOf:)` refuses any other (the `Date` scalar's `within_years`), so no
    score the API gave has one: an id of 0001-01-01 had answered a score of that day."""
    try:
        day = within_years(dt.date.fromisoformat(part))
    except ValueError:  # InvalidDate is one
        return None
    return day if day.isoformat() == part else None


async def scores_named(
    info: Info,
    conn: Connection,
    risk: RiskService,
    registered: Registered,
    keys: Sequence[Key],
) -> dict[Key, Found]:
    """The scores of these keys that exist and the caller may read, by key."""
    days = [(vendor, day) for vendor, part in _pairs(keys) if (day := day_part(part))]
    entries = [(vendor, part) for vendor, part in _pairs(keys) if not day_part(part)]
    stored = [(vendor, day) for vendor, day, _ in (k for k in keys if len(k) == 3)]
    return {
        **await _days_scored(conn, risk, registered, days),
        **await _entries(info, conn, risk, entries),
        **await _stored(conn, risk, stored),
    }


def _pairs(keys: Sequence[Key]) -> list[tuple[str, str]]:
    return [(key[0], key[1]) for key in keys if len(key) == 2]


async def _days_scored(
    conn: Connection, risk: RiskService, registered: Registered, days: list[tuple[str, dt.date]]
) -> dict[Key, Found]:
    """A day's score computed now; only a registered vendor's (`riskScore` refuses any other
    id): another's is null, as `node` answers for what does not exist."""
    vendors = sorted({vendor for vendor, _ in days})
    known = await registered(conn, vendors) if vendors else set()
    return {
        (vendor, day.isoformat()): Found(vendor, day, await risk.evaluate(conn, vendor, day))
        for vendor, day in days
        if vendor in known
    }


async def _entries(
    info: Info, conn: Connection, risk: RiskService, entries: list[tuple[str, str]]
) -> dict[Key, Found]:
    """History entries. One caused by an event the caller may not read of is none of its
    history (history_page.py), by id either."""
    unseen = await hidden_of(info, conn, (event for _, event in entries))
    seen = [(vendor, event) for vendor, event in entries if event not in unseen]
    found: dict[Key, Found] = {}
    for (vendor, event), seq in (await history_reads.history_seqs(conn, seen)).items():
        for at, as_of, score in await risk_history.history(conn, risk.model, vendor, seq - 1, 1):
            if at == seq:
                found[(vendor, event)] = Found(vendor, as_of, score, event)
    return found


async def _stored(
    conn: Connection, risk: RiskService, stored: list[tuple[str, str]]
) -> dict[Key, Found]:
    """A vendor's current score as `riskiestVendors` ranks it, while it is the one of the
    key's day: the daily refresh stores the next day's, another object, under an id of its
    own (the key's day is then none of the vendor's: null)."""
    wanted = set(stored)
    current = await current_scores.current_of(conn, risk, sorted({v for v, _ in wanted}))
    return {
        (vendor, day.isoformat(), STORED): Found(vendor, day, score, stored=True)
        for vendor, day, score in current
        if (vendor, day.isoformat()) in wanted
    }
