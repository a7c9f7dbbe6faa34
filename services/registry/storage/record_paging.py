"""Relay-style paging of a vendor's records, for many vendors in one SQL statement.

A DataLoader batches the vendors of a GraphQL page into one call; one statement answers for
all of them with window functions, each vendor's rows numbered in id order and counted, so
the cost of a page of vendors does not grow with their number.

Across all vendors (the API's root `contracts` and `sanctions`) the window would number and
count every matching row of the table to return a page (769 ms for 21 of 171,000 contracts),
so that page is read by its key instead (`key > after ORDER BY key LIMIT first + 1`, which an
index in key order stops reading after the page) and its total by a count of its own, only
when the caller asks for one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg

from services.platform.postgres.database import Connection

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Page(Generic[T]):
    records: list[T]
    # All records matching the filters for that vendor (or overall); None when not counted
    # (a page across vendors whose caller did not ask for its total).
    total: int | None
    has_next: bool

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(r) for r in self.records], self.total, self.has_next)


# A filter: SQL with `{0}` where its parameter goes, and the parameter; None leaves it out.
Filter = tuple[str, Any]


async def fetch_pages(
    conn: Connection,
    table: str,
    key: str,
    vendor_ids: Sequence[str] | None,
    *,
    first: int,
    after: str | None,
    filters: Sequence[Filter] = (),
    count: bool = True,
) -> dict[str | None, Page[asyncpg.Record]]:
    """The rows of `table` matching `filters`, paged per vendor in `key` order, in one
    statement however many vendors (all of them, as one page keyed None, when None; then
    counted in a statement of its own, and only when `count`: its total is None otherwise).

    Across all vendors, records whose ids are per vendor (incidents, claims, certificates)
    may share an id: they come in vendor order, and a cursor on such an id skips the other
    vendors' records with it, since `after` is an id alone.

    `table`, `key` and the filters' SQL are the caller's constants, never input: only the
    values travel as parameters."""
    if first < 0:
        raise ValueError(f"first: {first} is negative; ask for 0 or more records")
    if vendor_ids is None:
        return {None: await _page_across_vendors(conn, table, key, first, after, filters, count)}
    args: list[Any] = [after, first, list(vendor_ids)]
    where = ["vendor_id = ANY($3::text[])", *_conditions(filters, args)]
    # The window counts every matching row (the total ignores `after`), and numbers the rows
    # after the cursor first. Rows up to the cursor are not wanted, except one to carry the
    # total of a vendor whose matching rows all come before it; the row past the page says
    # there is a next one.
    rows = await conn.fetch(
        f"""SELECT * FROM (
                SELECT *, count(*) OVER per_vendor AS total_,
                       row_number() OVER (per_vendor ORDER BY skipped_, {key}, vendor_id)
                           AS position_
                FROM (SELECT *, ({key} <= $1::text) IS TRUE AS skipped_
                      FROM {table} WHERE {" AND ".join(where)}) matching
                WINDOW per_vendor AS (PARTITION BY vendor_id)
            ) ranked
            WHERE position_ <= $2::int + 1 AND (NOT skipped_ OR position_ = 1)
            ORDER BY position_""",
        *args,
    )
    keys: list[str | None] = list(vendor_ids)
    records: dict[str | None, list[asyncpg.Record]] = {k: [] for k in keys}
    totals: dict[str | None, int] = dict.fromkeys(keys, 0)
    more: set[str | None] = set()
    for row in rows:
        vendor = row["vendor_id"]
        totals[vendor] = row["total_"]
        if row["skipped_"]:
            continue
        if row["position_"] > first:
            more.add(vendor)
        else:
            records[vendor].append(row)
    return {k: Page(records[k], totals[k], k in more) for k in keys}


async def _page_across_vendors(
    conn: Connection,
    table: str,
    key: str,
    first: int,
    after: str | None,
    filters: Sequence[Filter],
    count: bool,
) -> Page[asyncpg.Record]:
    """The page of every vendor's rows together, in (`key`, vendor) order after `after`, as
    the window numbered them: the rows after the cursor, read in key order up to the one past
    the page (the primary key's index, or (agency, contract_id) for one agency's contracts),
    and the total of all matching rows, whatever the cursor, counted only when `count`."""
    args: list[Any] = []
    matching = " AND ".join(["true", *_conditions(filters, args)])
    total: int | None = None
    if count:
        total = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {matching}", *args)
    if after is not None:
        args.append(after)
        matching += f" AND {key} > ${len(args)}::text"
    args.append(first + 1)
    rows = await conn.fetch(
        f"SELECT * FROM {table} WHERE {matching} ORDER BY {key}, vendor_id LIMIT ${len(args)}",
        *args,
    )
    return Page(rows[:first], total, len(rows) > first)


def _conditions(filters: Sequence[Filter], args: list[Any]) -> list[str]:
    """The SQL of the filters given a value, each value appended to `args` as its parameter."""
    conditions = []
    for sql, value in filters:
        if value is not None:
            args.append(value)
            conditions.append(sql.format(f"${len(args)}"))
    return conditions
