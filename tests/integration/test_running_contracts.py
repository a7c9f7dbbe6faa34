"""Every agency's contracts not ended, started or still to start (an administrator's automatic
watchlists), by the index of their last day (registry migration 0015): the same vendors as the
contracts' terms say, and the contracts that ended are not read.

Contracts are written by SQL (thousands of awards through the registry would take minutes);
the repository's read is what is tested, against the terms checked here one contract at a
time.
"""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest

from services.platform.postgres.database import Connection
from services.registry.storage import record_repository
from tests.support.plans import rows_read

pytestmark = pytest.mark.postgres

DAY = dt.date(2026, 6, 1)
CONTRACTS = 20_000

# Ten years of contracts, 300 to 500 days each, a tenth running on DAY; every 7th terminated
# 100 days in. By hand, each edge of a term: starting or ending on DAY or the day around it,
# terminated on DAY, the day before, or after its end (the end is its last day then).
_CONTRACTS = f"""
INSERT INTO registry_vendors (vendor_id, legal_name, event_id, recorded_at)
SELECT 'V' || lpad(i::text, 5, '0'), 'Vendor ' || i, gen_random_uuid(), now()
FROM generate_series(0, 999) i;
INSERT INTO registry_contracts (contract_id, vendor_id, agency, title, category, criticality,
                                awarded_on, starts_on, ends_on, amount, currency,
                                terminated_on, termination_reason, event_id, recorded_at)
SELECT 'C' || lpad(i::text, 6, '0'), 'V' || lpad((i % 1000)::text, 5, '0'), 'agency-' || (i % 12),
       'a contract', 'it', 'normal', s, s, e, 1000, 'JPY', t,
       CASE WHEN t IS NOT NULL THEN 'breach' END, gen_random_uuid(), now()
FROM (SELECT i, s, e, CASE WHEN i % 7 = 0 THEN s + 100 END AS t
      FROM (SELECT i, DATE '2017-01-01' + (i % 3650) AS s,
                   DATE '2017-01-01' + (i % 3650) + 300 + (i % 200) AS e
            FROM generate_series(1, {CONTRACTS}) i) d) g
UNION ALL
SELECT 'E' || n, 'V' || lpad(n::text, 5, '0'), 'agency-edge', 'an edge', 'it', 'normal',
       s, s, e, 1000, 'JPY', t, CASE WHEN t IS NOT NULL THEN 'breach' END, gen_random_uuid(),
       now()
FROM (VALUES (1, DATE '2026-06-01', DATE '2026-12-31', NULL::date),
             (2, DATE '2026-06-02', DATE '2026-12-31', NULL),
             (3, DATE '2025-06-01', DATE '2026-06-01', NULL),
             (4, DATE '2025-06-01', DATE '2026-05-31', NULL),
             (5, DATE '2025-06-01', DATE '2026-12-31', DATE '2026-06-01'),
             (6, DATE '2025-06-01', DATE '2026-12-31', DATE '2026-05-31'),
             (7, DATE '2025-06-01', DATE '2026-05-31', DATE '2026-07-01'),
             (8, DATE '2025-06-01', DATE '2026-06-01', DATE '2026-07-01')) AS x(n, s, e, t);
ANALYZE registry_contracts;
"""


async def _by_terms(conn: Connection, agency: str | None) -> dict[str, list[str]]:
    """Agency → its vendors with a contract not ended on DAY, the terms read here one by one."""
    running: dict[str, set[str]] = {}
    for c in await conn.fetch("SELECT * FROM registry_contracts"):
        ended = c["terminated_on"] is not None and c["terminated_on"] < DAY
        wanted = agency is None or c["agency"] == agency
        if c["ends_on"] >= DAY and not ended and wanted:
            running.setdefault(c["agency"], set()).add(c["vendor_id"])
    return {a: sorted(running[a]) for a in sorted(running)}


async def test_every_agency_s_contracts_not_ended_are_those_of_their_terms(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_CONTRACTS)
        edge = await record_repository.contracting_vendors(conn, DAY, None, "agency-edge")
        # V00002's starts the day after: the agency's all the same.
        assert edge == {"agency-edge": ["V00001", "V00002", "V00003", "V00005", "V00008"]}
        for agency in (None, "agency-3", "agency-edge"):
            expected = await _by_terms(conn, agency)
            answered = await record_repository.contracting_vendors(conn, DAY, None, agency)
            assert answered == expected
        in_view = ["agency-1", "agency-edge"]
        answered = await record_repository.contracting_vendors(conn, DAY, in_view, None)
        assert answered == {a: v for a, v in (await _by_terms(conn, None)).items() if a in in_view}


async def test_every_agency_s_contracts_not_ended_leave_the_ended_unread(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(_CONTRACTS)
        not_ended = await conn.fetchval(
            "SELECT count(*) FROM registry_contracts"
            " WHERE ends_on >= $1 AND (terminated_on IS NULL OR terminated_on >= $1)",
            DAY,
        )
        statement = (
            "SELECT agency, array_agg(DISTINCT vendor_id ORDER BY vendor_id)"
            " FROM registry_contracts WHERE "
            + record_repository._NOT_ENDED.format("$1::date")
            + " GROUP BY agency"
        )
        read = await rows_read(conn, "registry_contracts", statement, DAY)
        # Those not ended, running or still to start: without the index, every contract.
        assert read == not_ended < CONTRACTS / 5
