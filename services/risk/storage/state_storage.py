"""Where the risk service keeps its vendors' states: item by item in PostgreSQL, and the states
of the vendors it met lately in memory.

A state as one JSON document made every batch load and store the vendor's whole record, so a
vendor's events cost what its record weighs. Items are rows instead (`risk_vendor_items`:
the item as the state holds it, its horizon, a contract's termination), and a batch writes
only the items its events changed (found by identity: folding replaces a changed item and
shares the others, fold.py). The small rest of a state (its horizon, the digests) is one row
per vendor (`risk_vendor_states`) with a fresh token per write: a process reuses the state it
wrote while the row still holds its token, and loads the items again otherwise (another
process wrote since, or the transaction that wrote it rolled back).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.platform.postgres.database import Connection
from services.risk.domain.facts import (
    ITEM_FIELDS,
    CertificateFact,
    ClaimFact,
    ContractFact,
    IncidentFact,
    SanctionSource,
    SubcontractFact,
    VendorState,
)

# A state's item fields, and how each item is read back.
_ITEMS: dict[str, TypeAdapter[Any]] = {
    "incidents": TypeAdapter(IncidentFact),
    "sanctions": TypeAdapter(SanctionSource),
    "contracts": TypeAdapter(ContractFact),
    "subcontracts": TypeAdapter(SubcontractFact),
    "certificates": TypeAdapter(CertificateFact),
    "claims": TypeAdapter(ClaimFact),
}
_FIELD_OF_KIND = ITEM_FIELDS  # "contract" → "contracts"
_DATE = TypeAdapter(dt.date)

# Vendors whose states a process keeps: a batch touches at most a few hundred.
VENDORS = 4096


class StateMemo:
    """The states this process wrote last, by vendor, with the token written beside each."""

    def __init__(self, vendors: int = VENDORS) -> None:
        self._vendors = vendors
        self._states: OrderedDict[str, tuple[uuid.UUID, VendorState]] = OrderedDict()

    def get(self, vendor_id: str, token: uuid.UUID | None) -> VendorState | None:
        found = self._states.get(vendor_id)
        if found is None or token is None or found[0] != token:
            return None
        self._states.move_to_end(vendor_id)
        return found[1]

    def put(self, state: VendorState, token: uuid.UUID) -> None:
        self._states[state.vendor_id] = (token, state)
        self._states.move_to_end(state.vendor_id)
        if len(self._states) > self._vendors:
            self._states.popitem(last=False)


async def load(
    conn: Connection, vendor_ids: Collection[str], memo: StateMemo
) -> dict[str, VendorState]:
    """The vendors' states (an empty one for a vendor not seen yet): two statements at most,
    the second only for vendors whose state this process did not write last."""
    rows = await conn.fetch(
        """SELECT v.vendor_id, s.written, s.state::text AS state
           FROM unnest($1::text[]) AS v(vendor_id)
           LEFT JOIN risk_vendor_states s USING (vendor_id)""",
        list(vendor_ids),
    )
    states: dict[str, VendorState] = {}
    heads: dict[str, dict[str, Any]] = {}
    for r in rows:
        vendor_id = r["vendor_id"]
        if r["state"] is None:
            states[vendor_id] = VendorState(vendor_id)
        elif (kept := memo.get(vendor_id, r["written"])) is not None:
            states[vendor_id] = kept
        else:
            heads[vendor_id] = json.loads(r["state"])
    if heads:
        states.update(await _from_items(conn, heads))
    return states


async def _from_items(
    conn: Connection, heads: Mapping[str, dict[str, Any]]
) -> dict[str, VendorState]:
    rows = await conn.fetch(
        """SELECT vendor_id, item, fact::text AS fact, horizon, terminated
           FROM risk_vendor_items WHERE vendor_id = ANY($1::text[])""",
        list(heads),
    )
    by_vendor: dict[str, list[asyncpg.Record]] = {vendor_id: [] for vendor_id in heads}
    for r in rows:
        by_vendor[r["vendor_id"]].append(r)
    return {
        vendor_id: state_of(
            vendor_id, _DATE.validate_python(head["horizon"]), head["digests"], by_vendor[vendor_id]
        )
        for vendor_id, head in heads.items()
    }


def state_of(
    vendor_id: str,
    horizon: dt.date,
    digests: dict[str, str],
    items: Iterable[asyncpg.Record],
) -> VendorState:
    """A state from its head and its item rows (item, fact as JSON text, horizon, terminated),
    as `save` writes them here and history_marks.py at the marks of a history."""
    parts: dict[str, Any] = {name: {} for name in _ITEMS}
    horizons: dict[str, dt.date] = {}
    terminated: set[str] = set()
    for r in items:
        kind, _, item_id = r["item"].partition(":")
        name = _FIELD_OF_KIND[kind]
        if r["fact"] is not None:
            parts[name][item_id] = _ITEMS[name].validate_json(r["fact"])
        if r["horizon"] is not None:
            horizons[r["item"]] = r["horizon"]
        if r["terminated"]:
            terminated.add(item_id)
    return VendorState(
        vendor_id=vendor_id,
        horizon=horizon,
        digests=digests,
        horizons=horizons,
        terminated=frozenset(terminated),
        **parts,
    )


def item_columns(state: VendorState, key: str) -> tuple[str | None, dt.date | None, bool]:
    """An item ("kind:id") of the state as its row keeps it: the fact as JSON text (none:
    only dates known), its horizon, whether it is a terminated contract."""
    kind, _, item_id = key.partition(":")
    name = _FIELD_OF_KIND[kind]
    fact = getattr(state, name).get(item_id)
    text = None if fact is None else _ITEMS[name].dump_json(fact).decode()
    return text, state.horizons.get(key), kind == "contract" and item_id in state.terminated


async def save(
    conn: Connection,
    states: Collection[VendorState],
    before: Mapping[str, VendorState],
    memo: StateMemo,
) -> None:
    """Writes what changed since `before` (the states as loaded): the changed items, and each
    state's head with a fresh token (two statements)."""
    items: list[tuple[str, str, str | None, dt.date | None, bool]] = []
    for state in states:
        old = before.get(state.vendor_id) or VendorState(state.vendor_id)
        items += [(state.vendor_id, key, *item_columns(state, key)) for key in _changed(old, state)]
    if items:
        await conn.execute(
            """INSERT INTO risk_vendor_items (vendor_id, item, fact, horizon, terminated)
               SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::date[],
                                    $5::boolean[])
               ON CONFLICT (vendor_id, item) DO UPDATE SET fact = EXCLUDED.fact,
                   horizon = EXCLUDED.horizon, terminated = EXCLUDED.terminated""",
            *[[row[i] for row in items] for i in range(5)],
        )
    # One token for the whole write: what tells it from any other writer's is the write, not
    # the vendor (each vendor's state is looked up beside its own token).
    token = uuid.uuid4()
    await conn.execute(
        """INSERT INTO risk_vendor_states (vendor_id, state, written)
           SELECT vendor_id, state, $3 FROM unnest($1::text[], $2::jsonb[]) AS u(vendor_id, state)
           ON CONFLICT (vendor_id) DO UPDATE SET state = EXCLUDED.state,
               written = EXCLUDED.written""",
        [s.vendor_id for s in states],
        [json.dumps({"horizon": s.horizon.isoformat(), "digests": s.digests}) for s in states],
        token,
    )
    for state in states:
        memo.put(state, token)


def _changed(old: VendorState, new: VendorState) -> set[str]:
    """The items ("kind:id") whose fact, horizon or termination differ: a changed item is a
    new object in a new dictionary (fold.py shares what it does not change), so a field whose
    dictionary is the same costs nothing, and identity finds the items that changed."""
    changed: set[str] = set()
    for kind, name in _FIELD_OF_KIND.items():
        was, now = getattr(old, name), getattr(new, name)
        if now is not was:
            changed.update(f"{kind}:{i}" for i, fact in now.items() if was.get(i) is not fact)
    if new.horizons is not old.horizons:
        changed.update(key for key, day in new.horizons.items() if old.horizons.get(key) != day)
    changed.update(f"contract:{item_id}" for item_id in new.terminated - old.terminated)
    return changed
