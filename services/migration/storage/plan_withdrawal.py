"""A plan's withdrawal in PostgreSQL (migration.plan_withdrawn): the plan keeps its items as
they were; plan_repository's reads of the plans a world event touches pass it by."""

from __future__ import annotations

import datetime as dt

from services.platform.postgres.database import Connection


async def withdrawn_count(conn: Connection, vendor_id: str, agency: str) -> int:
    """How many of the vendor's plans at the agency were withdrawn (each automatic plan
    opened after one gets an id of its own, `plan_opening.automatic_plan_id`)."""
    count: int = await conn.fetchval(
        """SELECT count(*) FROM migration_plans
           WHERE vendor_id = $1 AND agency = $2 AND withdrawn_at IS NOT NULL""",
        vendor_id,
        agency,
    )
    return count


async def withdraw(conn: Connection, plan_id: str, at: dt.datetime, reason: str) -> None:
    """The plan withdrawn at `at` (when the log recorded it): its items stay as they are."""
    await conn.execute(
        """UPDATE migration_plans SET withdrawn_at = $2, withdrawal_reason = $3
           WHERE plan_id = $1""",
        plan_id,
        at,
        reason,
    )


async def cut_over_in_withdrawn(conn: Connection, vendor_id: str) -> set[str]:
    """The contracts of the vendor's withdrawn plans whose items were done: they moved to
    another vendor already, so no later plan of the vendor's takes them again."""
    rows = await conn.fetch(
        """SELECT i.contract_id FROM migration_items i JOIN migration_plans p USING (plan_id)
           WHERE p.vendor_id = $1 AND p.withdrawn_at IS NOT NULL AND i.status = 'done'""",
        vendor_id,
    )
    return {r["contract_id"] for r in rows}
