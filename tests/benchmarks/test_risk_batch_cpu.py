"""The risk batch handler's CPU over the benchmark's workload, alone in process (printed, not
asserted): the risk service's own cost, without the other consumers it shares a core with in
embedded mode, so that two versions of the code compare on a busy machine by the CPU time
each spends (the lowest of the rounds), not by the wall-clock time the machine gave them.

    VENDORWATCH_BENCH_EVENTS=20000 VENDORWATCH_BENCH_ROUNDS=3 \\
        python -m pytest -q -p no:cacheprovider -s tests/benchmarks/test_risk_batch_cpu.py

Every event goes to `RiskService.apply_batch` in log order, 500 per transaction, with a fixed
clock (the registry's verdicts are not asked: every event counts, which for this workload is
what the registry accepts but for a few refusals).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from services.platform.database import open_pool
from services.risk.handlers import RiskService
from services.risk.model import load_model
from tests.support import postgres
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


async def _cpu_seconds(database_url: str, workload: Workload) -> float:
    pool = await open_pool(database_url, migrate=False)
    clock = FixedClock(TOKYO, dt.datetime(2026, 12, 2, 9, tzinfo=TOKYO))
    service = RiskService(clock, load_model())
    events = workload.events
    try:
        started = time.process_time()
        for start in range(0, len(events), BATCH):
            async with pool.acquire() as conn, conn.transaction():
                await service.apply_batch(conn, events[start : start + BATCH])
        return time.process_time() - started
    finally:
        await pool.close()


async def test_risk_batch_handler_cpu(
    test_databases: postgres.TestDatabases, workload: Workload
) -> None:
    spent = []
    for _ in range(rounds()):
        async with test_databases.fresh() as url:
            spent.append(await _cpu_seconds(url, workload))
    events = len(workload.events)
    print(
        f"\nrisk batch handler alone, {events:,} events: CPU {min(spent):.2f} s at best"
        f" ({events / min(spent):,.0f} events per CPU second); rounds:"
        f" {', '.join(f'{s:.2f} s' for s in spent)}"
    )
