"""A connection's `totalCount` is counted only when asked: a count reads every row that
matches (a million dead letters or alerts: 0.2–0.36 s), where a page is a few rows by an
index, so a client paging without it pays for its page only. Asked, it is the count."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from tests.support.in_process_api import execute

pytestmark = pytest.mark.postgres

# Each page, and the statement that counts its total (dead letters from their tallies).
PAGES = {
    "deadLetters": (
        "{ deadLetters(first: 1) { %s edges { node { reason } } } }",
        "FROM dead_letter_tallies",
    ),
    "alerts": ("{ alerts(first: 1) { %s edges { node { alertId } } } }", "count(*) FROM alerts"),
    "riskHistory": (
        '{ riskHistory(vendorId: "v", first: 1) { %s edges { node { score } } } }',
        "count(*) FROM risk_history",
    ),
}

CONNECTIONS = {
    "deadLetters": "DeadLetterConnection",
    "alerts": "AlertConnection",
    "riskHistory": "RiskScoreConnection",
}


async def _logged(database_url: str, query: str) -> tuple[dict[str, Any], list[str]]:
    sent: list[str] = []

    async def log(conn: asyncpg.Connection[Any]) -> None:
        conn.add_query_logger(lambda q: sent.append(q.query))

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1, init=log)
    try:
        answer = await execute(pool, query)
    finally:
        await pool.close()
    return answer, sent


@pytest.mark.parametrize("field", PAGES)
async def test_a_total_is_counted_only_when_asked(
    pool: asyncpg.Pool, database_url: str, field: str
) -> None:
    await ingest_batch(pool, [b"{not json"])  # a dead letter
    query, counts = PAGES[field]
    asked, sent = await _logged(database_url, query % "totalCount")
    assert asked[field]["totalCount"] == (1 if field == "deadLetters" else 0)
    assert sum(counts in statement for statement in sent) == 1, sent
    paged, sent = await _logged(database_url, query % "")
    assert len(paged[field]["edges"]) == asked[field]["totalCount"]
    assert not any(counts in statement for statement in sent), sent
    # Through a fragment, it is asked too.
    connection = CONNECTIONS[field]
    fragment = query % "...T" + f" fragment T on {connection} {{ totalCount }}"
    through, sent = await _logged(database_url, fragment)
    assert through[field]["totalCount"] == asked[field]["totalCount"], through
