"""The risk batch handler's CPU over the benchmark's workload, alone in process (printed, not
asserted): the risk service's own cost, without the other consumers it shares a core with in
embedded mode, so that two versions of the code compare on a busy machine by the CPU time
each spends (the lowest of the rounds), not by the wall-clock time the machine gave them.

    VENDORWATCH_BENCH_EVENTS=20000 VENDORWATCH_BENCH_ROUNDS=3 \\
        python -m pytest -q -p no:cacheprovider -s tests/benchmarks/test_risk_batch_cpu.py

Every event goes to `RiskService.apply_batch` in log order, 500 per transaction, with a fixed
clock (the registry's verdicts are not asked: every event counts, which for this workload is
what the registry accepts but for a few refusals), the garbage collector set as every
vendorwatch process sets it. Each round's answers must be those recorded
(tests/support/risk_answers.py) for the sizes they were recorded at.
"""

from __future__ import annotations

import gc
import time

import pytest

from services.platform.operations.collector import tune_for_long_runs
from services.platform.postgres.database import open_pool
from tests.support import event_log, postgres
from tests.support.risk_answers import DIGESTS, apply_workload, digests
from tests.support.throughput import bench_events, rounds
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres


async def _cpu_seconds(database_url: str, workload: Workload) -> float:
    pool = await open_pool(database_url, migrate=False)
    try:
        await event_log.append(pool, workload.events)  # as ingest had stored them
        started = time.process_time()
        await apply_workload(pool, workload)
        return time.process_time() - started
    finally:
        await pool.close()


async def test_risk_batch_handler_cpu(
    test_databases: postgres.TestDatabases, workload: Workload
) -> None:
    spent = []
    previous = gc.get_threshold()
    tune_for_long_runs()  # as every vendorwatch process does
    try:
        for _ in range(rounds()):
            async with test_databases.fresh() as url:
                spent.append(await _cpu_seconds(url, workload))
                # A cheaper run must still say the same (recorded for the sizes measured).
                if (recorded := DIGESTS.get(bench_events())) is not None:
                    assert await digests(url) == recorded
    finally:
        gc.set_threshold(*previous)
    events = len(workload.events)
    print(
        f"\nrisk batch handler alone, {events:,} events: CPU {min(spent):.2f} s at best"
        f" ({events / min(spent):,.0f} events per CPU second); rounds:"
        f" {', '.join(f'{s:.2f} s' for s in spent)}"
    )
