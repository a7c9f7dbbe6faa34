"""Plans, their items and their versions in PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from services.events.contract import Criticality
from services.events.migration import ChecklistCheck, MigrationItemStatus, MigrationTrigger
from services.migration.domain.items import ItemState
from services.migration.domain.plan_settings import settings_from_json, settings_json
from services.migration.planning.model import PlanSettings, PlanSnapshot, ReplacementBar
from services.platform.postgres.database import Connection

_SNAPSHOT = TypeAdapter(PlanSnapshot)


@dataclass(frozen=True)
class PlanRow:
    plan_id: str
    vendor_id: str
    agency: str
    trigger: MigrationTrigger
    reason: str
    created_on: dt.date
    settings: PlanSettings
    vendor_eligible: bool
    revision: int
    planned_revision: int
    causes: tuple[str, ...]
    # Set once its owner withdrew it (migration.plan_withdrawn): when the log recorded it, why.
    withdrawn_at: dt.datetime | None = None
    withdrawal_reason: str | None = None


@dataclass(frozen=True)
class VersionRow:
    plan_id: str
    version: int
    created_at: dt.datetime
    causes: tuple[str, ...]
    snapshot: PlanSnapshot
    changes: tuple[str, ...]


_PLAN_COLUMNS = """plan_id, vendor_id, agency, trigger, reason, created_on, settings::text,
                   vendor_eligible, revision, planned_revision, causes, withdrawn_at,
                   withdrawal_reason"""


def _plan(row: asyncpg.Record) -> PlanRow:
    return PlanRow(
        plan_id=row["plan_id"],
        vendor_id=row["vendor_id"],
        agency=row["agency"],
        trigger=MigrationTrigger(row["trigger"]),
        reason=row["reason"],
        created_on=row["created_on"],
        settings=settings_from_json(row["settings"]),
        vendor_eligible=row["vendor_eligible"],
        revision=row["revision"],
        planned_revision=row["planned_revision"],
        causes=tuple(row["causes"]),
        withdrawn_at=row["withdrawn_at"],
        withdrawal_reason=row["withdrawal_reason"],
    )


async def plan(conn: Connection, plan_id: str, *, lock: bool = False) -> PlanRow | None:
    suffix = " FOR UPDATE" if lock else ""
    row = await conn.fetchrow(
        f"SELECT {_PLAN_COLUMNS} FROM migration_plans WHERE plan_id = $1{suffix}", plan_id
    )
    return _plan(row) if row else None


async def plans(conn: Connection, plan_ids: list[str]) -> dict[str, PlanRow]:
    rows = await conn.fetch(
        f"SELECT {_PLAN_COLUMNS} FROM migration_plans WHERE plan_id = ANY($1::text[])", plan_ids
    )
    return {r["plan_id"]: _plan(r) for r in rows}


# A withdrawn plan is history: the world's events and a new bar pass it by (`plan_for`,
# `plans_of`, `open_items_of_contract`, `items_replaced_by`), and the planner skips it.
_NOT_WITHDRAWN = "withdrawn_at IS NULL"


async def plan_for(conn: Connection, vendor_id: str, agency: str) -> PlanRow | None:
    """The vendor's plan at the agency that is not withdrawn (at most one)."""
    row = await conn.fetchrow(
        f"""SELECT {_PLAN_COLUMNS} FROM migration_plans
            WHERE vendor_id = $1 AND agency = $2 AND {_NOT_WITHDRAWN}""",
        vendor_id,
        agency,
    )
    return _plan(row) if row else None


async def plans_of(conn: Connection, vendor_id: str, *, withdrawn: bool = False) -> list[PlanRow]:
    """The vendor's plans not withdrawn (`withdrawn`: every one, those withdrawn too), by id."""
    rows = await conn.fetch(
        f"""SELECT {_PLAN_COLUMNS} FROM migration_plans
            WHERE vendor_id = $1 AND ($2 OR {_NOT_WITHDRAWN}) ORDER BY plan_id""",
        vendor_id,
        withdrawn,
    )
    return [_plan(r) for r in rows]


async def item_categories(conn: Connection, plan_ids: list[str]) -> dict[str, list[str | None]]:
    """The procurement categories of each plan's contracts (None: a contract whose category
    the service does not know); a plan without items is not in the answer."""
    rows = await conn.fetch(
        """SELECT i.plan_id, array_agg(DISTINCT c.category) AS categories
           FROM migration_items i LEFT JOIN migration_contracts c USING (contract_id)
           WHERE i.plan_id = ANY($1::text[]) GROUP BY i.plan_id""",
        plan_ids,
    )
    return {r["plan_id"]: list(r["categories"]) for r in rows}


async def insert_plan(conn: Connection, plan: PlanRow) -> None:
    await conn.execute(
        """INSERT INTO migration_plans
               (plan_id, vendor_id, agency, trigger, reason, created_on, settings, causes,
                vendor_eligible)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)""",
        plan.plan_id,
        plan.vendor_id,
        plan.agency,
        plan.trigger.value,
        plan.reason,
        plan.created_on,
        settings_json(plan.settings),
        list(plan.causes),
        plan.vendor_eligible,
    )


async def changed(conn: Connection, plan_id: str, cause: str) -> None:
    """The plan's inputs changed: the planner schedules it again, saying why."""
    await conn.execute(
        """UPDATE migration_plans
           SET revision = revision + 1, causes = array_append(causes, $2),
               due_since = CASE WHEN planned_revision < revision THEN due_since ELSE now() END
           WHERE plan_id = $1""",
        plan_id,
        cause,
    )


async def set_settings(conn: Connection, plan_id: str, settings: PlanSettings) -> None:
    await conn.execute(
        "UPDATE migration_plans SET settings = $2::jsonb WHERE plan_id = $1",
        plan_id,
        settings_json(settings),
    )


async def set_reason(
    conn: Connection, plan_id: str, reason: str, trigger: MigrationTrigger
) -> None:
    await conn.execute(
        "UPDATE migration_plans SET reason = $2, trigger = $3 WHERE plan_id = $1",
        plan_id,
        reason,
        trigger.value,
    )


async def set_vendor_eligible(conn: Connection, plan_id: str, eligible: bool) -> None:
    await conn.execute(
        "UPDATE migration_plans SET vendor_eligible = $2 WHERE plan_id = $1", plan_id, eligible
    )


_ITEM_COLUMNS = """contract_id, title, criticality, ends_on, via_subcontract_id, depends_on,
                   lead_time_months, earliest_on, deadline_on, replacement_vendor_id,
                   replacement_chosen_on, checks, status, status_on, status_note, starts_on"""


def item_state(
    row: asyncpg.Record,
    replacement_problem: str | None,
    replacement_bar: ReplacementBar | None,
) -> ItemState:
    """The item of `row`, with what bars its replacement (`plan_loading.load_items_of`)."""
    return ItemState(
        contract_id=row["contract_id"],
        title=row["title"],
        criticality=Criticality(row["criticality"]),
        ends_on=row["ends_on"],
        starts_on=row["starts_on"],
        via_subcontract_id=row["via_subcontract_id"],
        depends_on=tuple(row["depends_on"]),
        lead_time_months=row["lead_time_months"],
        earliest_on=row["earliest_on"],
        deadline_on=row["deadline_on"],
        replacement_vendor_id=row["replacement_vendor_id"],
        replacement_chosen_on=row["replacement_chosen_on"],
        replacement_problem=replacement_problem,
        replacement_bar=replacement_bar,
        checks=frozenset(ChecklistCheck(c) for c in row["checks"]),
        status=MigrationItemStatus(row["status"]),
        status_on=row["status_on"],
        status_note=row["status_note"],
    )


async def items(conn: Connection, plan_id: str) -> list[asyncpg.Record]:
    """The plan's items in contract order, as rows (see `item_state` for the domain value)."""
    return await items_of_plans(conn, [plan_id])


async def items_of_plans(conn: Connection, plan_ids: list[str]) -> list[asyncpg.Record]:
    """The items of several plans, in plan and contract order, as rows with their plan_id."""
    return await conn.fetch(
        f"""SELECT plan_id, {_ITEM_COLUMNS} FROM migration_items
            WHERE plan_id = ANY($1::text[]) ORDER BY plan_id, contract_id""",
        plan_ids,
    )


async def insert_item(conn: Connection, plan_id: str, item: ItemState) -> bool:
    """Adds the item unless the plan has it already; says whether it was added."""
    added: str | None = await conn.fetchval(
        """INSERT INTO migration_items
               (plan_id, contract_id, title, criticality, ends_on, via_subcontract_id,
                starts_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT DO NOTHING RETURNING contract_id""",
        plan_id,
        item.contract_id,
        item.title,
        item.criticality.value,
        item.ends_on,
        item.via_subcontract_id,
        item.starts_on,
    )
    return added is not None


async def update_item(conn: Connection, plan_id: str, contract_id: str, **fields: Any) -> None:
    columns = ", ".join(f"{name} = ${n}" for n, name in enumerate(fields, start=3))
    await conn.execute(
        f"UPDATE migration_items SET {columns} WHERE plan_id = $1 AND contract_id = $2",
        plan_id,
        contract_id,
        *fields.values(),
    )


async def end_item_by(conn: Connection, plan_id: str, contract_id: str, on: dt.date) -> None:
    """The item's contract ended on `on` (terminated), unless its term ended before."""
    await conn.execute(
        "UPDATE migration_items SET ends_on = LEAST(ends_on, $3)"
        " WHERE plan_id = $1 AND contract_id = $2",
        plan_id,
        contract_id,
        on,
    )


async def delete_item(conn: Connection, plan_id: str, contract_id: str) -> None:
    await conn.execute(
        "DELETE FROM migration_items WHERE plan_id = $1 AND contract_id = $2", plan_id, contract_id
    )
    # Nothing can wait for an item no longer in the plan.
    await conn.execute(
        """UPDATE migration_items SET depends_on = array_remove(depends_on, $2)
           WHERE plan_id = $1 AND $2 = ANY(depends_on)""",
        plan_id,
        contract_id,
    )


async def open_items_of_contract(conn: Connection, contract_id: str) -> list[str]:
    """The plans still to move this contract."""
    rows = await conn.fetch(
        f"""SELECT i.plan_id FROM migration_items i JOIN migration_plans p USING (plan_id)
            WHERE i.contract_id = $1 AND i.status <> 'done' AND p.{_NOT_WITHDRAWN}""",
        contract_id,
    )
    return [r["plan_id"] for r in rows]


async def items_replaced_by(
    conn: Connection, vendor_id: str
) -> list[tuple[str, str, str, str | None]]:
    """(plan, contract, agency, the contract's category) of every open item this vendor is to
    take over."""
    rows = await conn.fetch(
        f"""SELECT i.plan_id, i.contract_id, p.agency, c.category
            FROM migration_items i JOIN migration_plans p USING (plan_id)
            LEFT JOIN migration_contracts c USING (contract_id)
            WHERE i.replacement_vendor_id = $1 AND i.status <> 'done' AND p.{_NOT_WITHDRAWN}
            ORDER BY i.plan_id, i.contract_id""",
        vendor_id,
    )
    return [(r["plan_id"], r["contract_id"], r["agency"], r["category"]) for r in rows]


async def plans_due_by_size(
    conn: Connection, limit: int, waited_seconds: float
) -> list[tuple[str, float]]:
    """The plans not withdrawn whose inputs changed since they were scheduled, each with its
    solver's time limit: those due for `waited_seconds` or longer first, the longest waiting
    first (a large plan is not kept waiting for as long as smaller ones keep coming), then
    the fewest items first (a small plan's solve is short: it need not wait for a large
    one's), then by id."""
    rows = await conn.fetch(
        """SELECT p.plan_id, (p.settings ->> 'time_limit_seconds')::float8 AS time_limit
           FROM migration_plans p
           CROSS JOIN LATERAL (
               SELECT p.due_since <= now() - make_interval(secs => $2) AS waited
           ) w
           WHERE p.planned_revision < p.revision AND p.withdrawn_at IS NULL
           ORDER BY w.waited DESC, CASE WHEN w.waited THEN p.due_since END,
                    (SELECT count(*) FROM migration_items i WHERE i.plan_id = p.plan_id),
                    p.plan_id
           LIMIT $1""",
        limit,
        waited_seconds,
    )
    return [(r["plan_id"], r["time_limit"]) for r in rows]


async def waits_again(conn: Connection, plan_id: str) -> None:
    """The plan, whose solve failed, waits from now (`plans_due_by_size`)."""
    await conn.execute("UPDATE migration_plans SET due_since = now() WHERE plan_id = $1", plan_id)


async def latest_version(conn: Connection, plan_id: str) -> VersionRow | None:
    row = await conn.fetchrow(
        """SELECT plan_id, version, created_at, causes, snapshot::text AS snapshot, changes
           FROM migration_plan_versions WHERE plan_id = $1 ORDER BY version DESC LIMIT 1""",
        plan_id,
    )
    return version_of(row) if row else None


async def latest_versions(conn: Connection, plan_ids: list[str]) -> dict[str, VersionRow]:
    """Each plan's newest version, by one probe per plan of the primary key from its end: a
    `DISTINCT ON (plan_id)` read every version of the plans, snapshots and all, and sorted
    them to keep the last (a plan of 2,001 versions: 305 ms, 6,409 buffers, where the probe
    takes 0.1 ms and 6)."""
    rows = await conn.fetch(
        """SELECT v.plan_id, v.version, v.created_at, v.causes, v.snapshot::text AS snapshot,
                  v.changes
           FROM unnest($1::text[]) AS asked (plan_id)
           CROSS JOIN LATERAL (
               SELECT * FROM migration_plan_versions w
               WHERE w.plan_id = asked.plan_id ORDER BY w.version DESC LIMIT 1
           ) AS v""",
        plan_ids,
    )
    return {r["plan_id"]: version_of(r) for r in rows}


def version_of(row: asyncpg.Record) -> VersionRow:
    return VersionRow(
        plan_id=row["plan_id"],
        version=row["version"],
        created_at=row["created_at"],
        causes=tuple(row["causes"]),
        snapshot=_SNAPSHOT.validate_json(row["snapshot"]),
        changes=tuple(row["changes"]),
    )


async def insert_version(
    conn: Connection,
    revision: int,
    causes: tuple[str, ...],
    snapshot: PlanSnapshot,
    changes: tuple[str, ...],
) -> None:
    await conn.execute(
        """INSERT INTO migration_plan_versions
               (plan_id, version, revision, causes, solver_status, snapshot, changes)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)""",
        snapshot.plan_id,
        snapshot.version,
        revision,
        list(causes),
        snapshot.schedule.status.value,
        _SNAPSHOT.dump_json(snapshot).decode(),
        list(changes),
    )
    # Causes recorded after the planner read the plan stay for the next version, which is
    # then due from now.
    await conn.execute(
        """UPDATE migration_plans
           SET planned_revision = $2, causes = causes[$3 + 1:], due_since = now()
           WHERE plan_id = $1""",
        snapshot.plan_id,
        revision,
        len(causes),
    )


async def set_check(
    conn: Connection, plan_id: str, contract_id: str, check: ChecklistCheck, passed: bool
) -> bool:
    """Ticks (or unticks) a check; says whether that changed anything."""
    changed_row: str | None = await conn.fetchval(
        """UPDATE migration_items
           SET checks = CASE WHEN $4 THEN array_append(checks, $3)
                             ELSE array_remove(checks, $3) END
           WHERE plan_id = $1 AND contract_id = $2 AND ($3 = ANY(checks)) <> $4
           RETURNING contract_id""",
        plan_id,
        contract_id,
        check.value,
        passed,
    )
    return changed_row is not None
