"""A contract as judging a change of it needs it (`contract_rules.ContractHeader`), read by
the registry's handlers and the API's receipt alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg

from services.platform.postgres.database import Connection
from services.registry.domain.contract_rules import ContractHeader


def header_of(row: asyncpg.Record | Mapping[str, Any] | None) -> ContractHeader | None:
    """The header of a `registry_contracts` row (None: no row)."""
    if row is None:
        return None
    return ContractHeader(
        row["vendor_id"],
        row["agency"],
        row["awarded_on"],
        row["starts_on"],
        row["terminated_on"],
        row["ends_on"],
        row["amount"],
    )


async def contract_row(conn: Connection, contract_id: str) -> asyncpg.Record | None:
    """The contract's row, whichever vendor's it is (None: not on record)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT * FROM registry_contracts WHERE contract_id = $1", contract_id
    )
    return row


async def contract_header(conn: Connection, contract_id: str) -> ContractHeader | None:
    """One keyed row: what judging a change of the contract needs of it, or None."""
    row = await conn.fetchrow(
        """SELECT vendor_id, agency, awarded_on, starts_on, terminated_on, ends_on, amount
           FROM registry_contracts WHERE contract_id = $1""",
        contract_id,
    )
    return header_of(row)
