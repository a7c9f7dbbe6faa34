"""Which agency a registry record belongs to, for callers who see only some agencies (system
owners, services/platform/security/access.py): the read side's SQL filters, the check of the
records an event recorded through the API names by id, and the reading checks' judgement of
an event on what it names, hidden records left unread (`judged_in_view`).

A contract belongs to its agency; subcontracts and certificates to their contract's; an
incident or a claim to its contract's when it names one (through its incident, for a claim),
and to no agency otherwise: such a record is about the vendor alone and stays visible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

import asyncpg

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.contract import ContractAwarded, SubcontractRequested
from services.events.incident import IncidentReported
from services.platform.graphql.scope_names import as_stored
from services.platform.postgres.database import Connection
from services.platform.security.access import recorders_view

Found = TypeVar("Found")

# Filters for record_paging: `{0}` is the text[] of agencies the caller sees.
_OF_AGENCIES = " IN (SELECT contract_id FROM registry_contracts WHERE agency = ANY({0}::text[]))"
CONTRACTS = "agency = ANY({0}::text[])"
SUBCONTRACTS = CERTIFICATES = "contract_id" + _OF_AGENCIES
INCIDENTS = "(contract_id IS NULL OR contract_id" + _OF_AGENCIES + ")"
CLAIMS = (
    "(contract_id IS NULL OR contract_id" + _OF_AGENCIES + ") AND NOT EXISTS ("
    " SELECT 1 FROM registry_incidents i JOIN registry_contracts c USING (contract_id)"
    " WHERE i.vendor_id = registry_claims.vendor_id AND i.incident_id = registry_claims.incident_id"
    " AND c.agency <> ALL({0}::text[]))"
)

# Each table's filter (`record_paging`'s, above), by table.
IN_VIEW = {
    "registry_contracts": CONTRACTS,
    "registry_subcontracts": SUBCONTRACTS,
    "registry_incidents": INCIDENTS,
    "registry_claims": CLAIMS,
    "registry_certificates": CERTIFICATES,
}

# The payload field that names a record an event creates rather than one already on record.
_CREATED = {
    ContractAwarded.event_type: "contract_id",
    SubcontractRequested.event_type: "subcontract_id",
    IncidentReported.event_type: "incident_id",
}


async def _agency_of(
    conn: Connection, field: str, record_id: str, vendor_id: str
) -> tuple[bool, str | None]:
    """Whether the record is on record, and its agency (None: it belongs to no agency)."""
    if field == "contract_id":
        sql = "SELECT agency FROM registry_contracts WHERE contract_id = $1"
        row = await conn.fetchrow(sql, record_id)
    elif field in ("subcontract_id", "parent_subcontract_id"):
        sql = """SELECT c.agency FROM registry_subcontracts s
                 JOIN registry_contracts c USING (contract_id) WHERE s.subcontract_id = $1"""
        row = await conn.fetchrow(sql, record_id)
    else:  # incident_id: incidents are numbered per vendor
        sql = """SELECT c.agency FROM registry_incidents i
                 LEFT JOIN registry_contracts c USING (contract_id)
                 WHERE i.incident_id = $1 AND i.vendor_id = $2"""
        row = await conn.fetchrow(sql, record_id, vendor_id)
    return (row is not None, row["agency"] if row is not None else None)


# Each field that names a record: what the record is, and the code of its refusal.
_NOUNS = {
    "contract_id": ("contract", "unknown_contract"),
    "subcontract_id": ("subcontract", "unknown_subcontract"),
    "parent_subcontract_id": ("subcontract", "unknown_subcontract"),
    "incident_id": ("incident", "unknown_incident"),
}
# The fields whose record `out_of_view` judges: one not on record is refused there already,
# for a system owner, in words that tell nothing of other agencies' records.
SCOPED_FIELDS = frozenset(_NOUNS)


async def out_of_view(
    conn: Connection,
    agencies: Collection[str],
    event_type: str,
    vendor_id: str,
    payload: Mapping[str, Any],
) -> tuple[Problem, ...]:
    """Why a caller who sees only `agencies` may not record this event: every field that
    names what is not theirs (none: it may).

    Every record the payload names by id must be on record and be of those agencies (or of
    none): a record not on record yet is refused too, since its agency cannot be told, and
    the message is the same for both, so that it says nothing about other agencies' records.
    """
    problems = []
    agency = payload.get("agency")
    # Judged as the event will store it (trimmed).
    if isinstance(agency, str) and as_stored(agency) not in agencies:
        said = f"{agency} is not one of your agencies"
        problems.append(Problem("payload.agency", said, "not_your_agency"))
    for field, (noun, code) in _NOUNS.items():
        record_id = payload.get(field)
        if not isinstance(record_id, str) or _CREATED.get(event_type) == field:
            continue
        known, owner = await _agency_of(conn, field, record_id, vendor_id)
        if not known or (owner is not None and owner not in agencies):
            said = f"no {noun} {record_id!r} of your agencies on record"
            problems.append(Problem(f"payload.{field}", said, code))
    return tuple(problems)


async def hidden_from_recorder(conn: Connection, event: EventEnvelope) -> bool:
    """Whether the event names a record outside the agencies of the system owner who recorded
    it (`access.recorders_view`): the receipt refuses it already (`out_of_view`), in words
    that tell nothing of the record, so a check that reads the record must tell nothing
    more of it (whose it is, its steps, its days). A reading check sees the event, not the
    request, hence the agencies from the event's stamp."""
    agencies = recorders_view(event.recorded_by)
    if agencies is None:
        return False
    payload = event.payload.model_dump(mode="json")
    return bool(await out_of_view(conn, agencies, event.event_type, event.vendor_id, payload))


async def judged_in_view(
    pool: asyncpg.Pool,
    event: EventEnvelope,
    read: Callable[[Connection], Awaitable[Found]],
    judge: Callable[[EventEnvelope, Found, dt.datetime], Problem | None],
) -> Problem | None:
    """A reading check's answer: `judge` of the event on what `read` finds of the records it
    names, on one connection; None, unread, when it names a record hidden from its recorder
    (`hidden_from_recorder`: the receipt refuses it already)."""
    async with pool.acquire() as conn:
        if await hidden_from_recorder(conn, event):
            return None
        found = await read(conn)
    # The log records the event after this moment, never before it.
    return judge(event, found, dt.datetime.now(dt.UTC))


# Each payload field that names a record, with its table, and whether records of that kind
# are numbered per vendor (then the event's vendor holds the one it names).
_NAMED_BY = (
    ("contract_id", "registry_contracts", False),
    ("subcontract_id", "registry_subcontracts", False),
    ("parent_subcontract_id", "registry_subcontracts", False),
    ("incident_id", "registry_incidents", True),
    ("claim_id", "registry_claims", True),
)
_ID_COLUMN = {"parent_subcontract_id": "subcontract_id"}


def _names_hidden(field: str, table: str, per_vendor: bool) -> str:
    column = _ID_COLUMN.get(field, field)
    own = f" AND {table}.vendor_id = s.vendor_id" if per_vendor else ""
    return (
        f"EXISTS (SELECT FROM {table} WHERE {table}.{column} = s.envelope->'payload'->>'{field}'"
        f"{own} AND NOT ({IN_VIEW[table].format('$2')}))"
    )


# The events among $1 that name a record of an agency outside $2 (a contract's award names
# its contract): one read of the events by their key, each named record by its. Scores count
# only events the registry accepted (risk applies what it judged), so it holds their records.
_EVENTS_OUT_OF_VIEW = f"""
SELECT s.event_id::text FROM event_store s
WHERE s.event_id = ANY($1::uuid[])
  AND ({" OR ".join(_names_hidden(*named) for named in _NAMED_BY)})"""


async def events_out_of_view(
    conn: Connection, agencies: Sequence[str], event_ids: Sequence[str]
) -> set[str]:
    """Those of these events a caller who sees only `agencies` may not read of: each names
    another agency's contract, or a record hanging on one (as the record pages hide them)."""
    rows = await conn.fetch(_EVENTS_OUT_OF_VIEW, list(event_ids), list(agencies))
    return {r["event_id"] for r in rows}
