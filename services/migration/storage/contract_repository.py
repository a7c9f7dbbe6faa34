"""The contracts, approved subcontracts and eligibility the migration service has learnt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter

from services.events.contract import Criticality
from services.events.emitted import EligibilityChanged, EligibilityReasonRef
from services.migration.domain import bars
from services.platform.postgres.database import Connection

_REASONS = TypeAdapter(list[EligibilityReasonRef])


@dataclass(frozen=True)
class ContractRow:
    contract_id: str
    vendor_id: str
    agency: str
    title: str
    criticality: Criticality
    ends_on: dt.date
    # The procurement category sanctions scope (None only for a contract learnt before the
    # service kept it and never awarded since: then in every sanction's scope).
    category: str | None
    via_subcontract_id: str | None = None  # set when the vendor asked about subcontracts it
    # The term's first day (None only for a contract learnt before the service kept it and
    # never awarded since): no cut-over before it.
    starts_on: dt.date | None = None


async def put_contract(
    conn: Connection,
    contract_id: str,
    vendor_id: str,
    agency: str,
    title: str,
    criticality: Criticality,
    starts_on: dt.date,
    ends_on: dt.date,
    category: str,
) -> None:
    row = ContractRow(
        contract_id, vendor_id, agency, title, criticality, ends_on, category, starts_on=starts_on
    )
    await put_contracts(conn, [row])


async def put_contracts(conn: Connection, contracts: Sequence[ContractRow]) -> None:
    """Records (or replaces) contracts of distinct ids in one statement."""
    await conn.execute(
        """INSERT INTO migration_contracts
               (contract_id, vendor_id, agency, title, criticality, ends_on, category, starts_on)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                $6::date[], $7::text[], $8::date[])
           ON CONFLICT (contract_id) DO UPDATE SET
               vendor_id = EXCLUDED.vendor_id, agency = EXCLUDED.agency,
               title = EXCLUDED.title, criticality = EXCLUDED.criticality,
               ends_on = EXCLUDED.ends_on, category = EXCLUDED.category,
               starts_on = EXCLUDED.starts_on""",
        [c.contract_id for c in contracts],
        [c.vendor_id for c in contracts],
        [c.agency for c in contracts],
        [c.title for c in contracts],
        [c.criticality.value for c in contracts],
        [c.ends_on for c in contracts],
        [c.category for c in contracts],
        [c.starts_on for c in contracts],
    )


async def known_contracts(conn: Connection, contract_ids: Sequence[str]) -> set[str]:
    """Those of the contracts the service has heard of, awarded or subcontracted."""
    rows = await conn.fetch(
        """SELECT contract_id FROM migration_contracts WHERE contract_id = ANY($1::text[])
           UNION
           SELECT contract_id FROM migration_subcontracts WHERE contract_id = ANY($1::text[])""",
        contract_ids,
    )
    return {r["contract_id"] for r in rows}


async def contract(conn: Connection, contract_id: str) -> ContractRow | None:
    row = await conn.fetchrow(
        """SELECT contract_id, vendor_id, agency, title, criticality, ends_on, category,
                  starts_on
           FROM migration_contracts WHERE contract_id = $1""",
        contract_id,
    )
    if row is None:
        return None
    return ContractRow(**{**dict(row), "criticality": Criticality(row["criticality"])})


async def categories(conn: Connection, contract_ids: Sequence[str]) -> dict[str, str | None]:
    """The procurement category of each of these contracts the service knows."""
    rows = await conn.fetch(
        """SELECT contract_id, category FROM migration_contracts
           WHERE contract_id = ANY($1::text[])""",
        contract_ids,
    )
    return {r["contract_id"]: r["category"] for r in rows}


async def category_of(conn: Connection, contract_id: str) -> str | None:
    """A contract's procurement category (None: unknown, so in every sanction's scope)."""
    return (await categories(conn, [contract_id])).get(contract_id)


async def set_end(conn: Connection, contract_id: str, ends_on: dt.date) -> None:
    await conn.execute(
        "UPDATE migration_contracts SET ends_on = $2 WHERE contract_id = $1", contract_id, ends_on
    )


async def terminate(conn: Connection, contract_id: str, on: dt.date) -> None:
    await conn.execute(
        "UPDATE migration_contracts SET terminated_on = $2 WHERE contract_id = $1",
        contract_id,
        on,
    )


async def active_contracts(
    conn: Connection, vendor_id: str, agency: str | None, as_of: dt.date
) -> list[ContractRow]:
    """The vendor's running contracts (and those it works on as an approved subcontractor)
    that have not ended by `as_of`, at one agency or at all of them."""
    rows = await conn.fetch(
        """SELECT c.contract_id, c.vendor_id, c.agency, c.title, c.criticality, c.ends_on,
                  c.category, NULL::text AS via_subcontract_id, c.starts_on
           FROM migration_contracts c
           WHERE c.vendor_id = $1 AND c.terminated_on IS NULL AND c.ends_on >= $3
             AND ($2::text IS NULL OR c.agency = $2)
           UNION ALL
           SELECT c.contract_id, c.vendor_id, c.agency, c.title, c.criticality, c.ends_on,
                  c.category, min(s.subcontract_id), c.starts_on
           FROM migration_subcontracts s JOIN migration_contracts c USING (contract_id)
           WHERE s.subcontractor_vendor_id = $1 AND s.approved AND c.vendor_id <> $1
             AND c.terminated_on IS NULL AND c.ends_on >= $3
             AND ($2::text IS NULL OR c.agency = $2)
           GROUP BY c.contract_id
           ORDER BY contract_id""",
        vendor_id,
        agency,
        as_of,
    )
    return [ContractRow(**{**dict(r), "criticality": Criticality(r["criticality"])}) for r in rows]


async def put_subcontract(
    conn: Connection, contract_id: str, subcontract_id: str, subcontractor_vendor_id: str
) -> None:
    await conn.execute(
        """INSERT INTO migration_subcontracts (contract_id, subcontract_id, subcontractor_vendor_id)
           VALUES ($1, $2, $3)
           ON CONFLICT (contract_id, subcontract_id) DO UPDATE
           SET subcontractor_vendor_id = EXCLUDED.subcontractor_vendor_id""",
        contract_id,
        subcontract_id,
        subcontractor_vendor_id,
    )


async def approved_subcontractors(conn: Connection, contract_id: str) -> list[str]:
    """The vendors approved to work on the contract as subcontractors, in id order."""
    rows = await conn.fetch(
        """SELECT DISTINCT subcontractor_vendor_id FROM migration_subcontracts
           WHERE contract_id = $1 AND approved ORDER BY subcontractor_vendor_id""",
        contract_id,
    )
    return [r["subcontractor_vendor_id"] for r in rows]


async def decide_subcontract(
    conn: Connection, contract_id: str, subcontract_id: str, approved: bool
) -> str | None:
    """Records the agency's decision; returns the subcontractor (None when unknown)."""
    vendor: str | None = await conn.fetchval(
        """UPDATE migration_subcontracts SET approved = $3
           WHERE contract_id = $1 AND subcontract_id = $2
           RETURNING subcontractor_vendor_id""",
        contract_id,
        subcontract_id,
        approved,
    )
    return vendor


async def record_eligibility(conn: Connection, vendor_id: str, change: EligibilityChanged) -> None:
    await conn.execute(
        """INSERT INTO migration_eligibility
               (vendor_id, eligible, as_of, eligible_again_on, reasons, upcoming)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
           ON CONFLICT (vendor_id) DO UPDATE SET
               eligible = EXCLUDED.eligible,
               -- Since when what bars it holds: an announcement of the bars to come alone
               -- leaves it (plans opened later count from it).
               as_of = CASE WHEN (migration_eligibility.eligible,
                                  migration_eligibility.eligible_again_on,
                                  migration_eligibility.reasons)
                                 IS NOT DISTINCT FROM
                                 (EXCLUDED.eligible, EXCLUDED.eligible_again_on,
                                  EXCLUDED.reasons)
                            THEN migration_eligibility.as_of ELSE EXCLUDED.as_of END,
               eligible_again_on = EXCLUDED.eligible_again_on, reasons = EXCLUDED.reasons,
               upcoming = EXCLUDED.upcoming""",
        vendor_id,
        change.eligible,
        change.as_of,
        change.eligible_again_on,
        _REASONS.dump_json(change.reasons).decode(),
        _REASONS.dump_json(change.upcoming).decode(),
    )


async def bars_on(conn: Connection, vendor_id: str) -> Barred | None:
    """What keeps the vendor from bidding, as last announced: since when, and the sanctions;
    None when it is eligible (or was never barred)."""
    return (await bars_of(conn, [vendor_id])).get(vendor_id)


Barred = tuple[dt.date, list[EligibilityReasonRef]]


async def bars_of(conn: Connection, vendor_ids: list[str]) -> dict[str, Barred]:
    """`bars_on` for several vendors in one query (only the barred ones are in the answer)."""
    rows = await conn.fetch(
        """SELECT vendor_id, as_of, reasons::text AS reasons
           FROM migration_eligibility WHERE vendor_id = ANY($1::text[]) AND NOT eligible""",
        vendor_ids,
    )
    return {r["vendor_id"]: (r["as_of"], _REASONS.validate_json(r["reasons"])) for r in rows}


async def bar(conn: Connection, vendor_id: str, agency: str, category: str | None) -> str | None:
    """Why the vendor may not take work at the agency now, of this category when one is
    named (None: nothing known bars it)."""
    barred = await bars_on(conn, vendor_id)
    if barred is None:
        return None
    return bars.describe(barred[1], agency, category)


@dataclass(frozen=True)
class Said:
    """What the registry's last announcement said of a vendor: the sanctions barring it now
    and those recorded to bar it later (what a replacement is judged by)."""

    reasons: list[EligibilityReasonRef]
    upcoming: list[EligibilityReasonRef]


async def said_of(conn: Connection, vendor_ids: Sequence[str]) -> dict[str, Said]:
    """What was last announced of those of these vendors that are barred now or later (the
    others are free, as far as anything recorded says), in one query."""
    rows = await conn.fetch(
        """SELECT vendor_id, reasons::text AS reasons, upcoming::text AS upcoming
           FROM migration_eligibility
           WHERE vendor_id = ANY($1::text[]) AND (NOT eligible OR upcoming <> '[]')""",
        list(vendor_ids),
    )
    return {
        r["vendor_id"]: Said(
            _REASONS.validate_json(r["reasons"]), _REASONS.validate_json(r["upcoming"])
        )
        for r in rows
    }
