"""What a statement reads, from its plan as PostgreSQL ran it (EXPLAIN ANALYZE): a test that a
read is bounded by its answer counts the rows it took from a table, not its time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from services.platform.postgres.database import Connection


async def rows_read(conn: Connection, table: str, sql: str, *args: object) -> int:
    """The rows `sql` read from `table`, whatever the scan: those it kept and those its
    filters removed, over every loop of the node. Runs the statement (in a transaction rolled
    back: EXPLAIN ANALYZE executes it)."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args)
    finally:
        await transaction.rollback()
    return sum(
        (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"]
        for node in _nodes(json.loads(plan)[0]["Plan"])
        if node.get("Relation Name") == table
    )


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _nodes(child)
