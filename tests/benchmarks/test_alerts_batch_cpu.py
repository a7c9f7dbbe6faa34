"""The alerts' batch handler's CPU over the benchmark's workload, alone in process (printed,
not asserted), and PostgreSQL's for its statements: the alerts service's own cost, without the
consumers it shares a core with in embedded mode, so that two versions of the code compare on
a busy machine by the CPU each spends (the lowest of the rounds).

    VENDORWATCH_BENCH_EVENTS=20000 VENDORWATCH_BENCH_ROUNDS=3 \\
        python -m pytest -q -p no:cacheprovider -s tests/benchmarks/test_alerts_batch_cpu.py

Each round, on a fresh database: the workload stored in the log as ingest stores it (500
events a transaction), judged by the registry (the
alerts follow its verdicts), then applied by the alerts' consumer through
`consumer.apply_batch`, 2,000 events a batch as live. The workload's awards made to vendors
barred on their day (3,844 of its 10,000 awards at full size, each alert listing some nine
sanctions) are told to their agencies. The alerts stored must be those recorded for the size
(`ALERTS`: their count and a digest of every column but the moment they were told, which is
the clock's), so that a cheaper version must still tell the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.alerts.setup import consumer as alerts_consumer
from services.platform.consuming.consumer import apply_batch
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from tests.support import event_log, postgres
from tests.support.cpu_time import Applied, applied_alone, print_cpu, rounds_on_fresh_databases
from tests.support.registry import TOKYO, FixedClock
from tests.support.throughput import BATCH, bench_events
from tests.support.workload import Workload

pytestmark = pytest.mark.postgres

LIVE_BATCH = 2_000

# Workload size → (alerts, md5 of their rows). Recorded since awards are judged by their place
# in the log: an award stored after its vendor's sanction in the same batch of 500 is told
# (103 and 3,667 before, by the code of 2026-12-05 21:30 UTC); the same as the code before
# told with every event stored in a batch of its own. Their `watchlists` since an alert names
# the contracts the log held when it recorded the award (2026-12-06): here, where the
# registry applies the whole log before the alerts run, they had named contracts awarded
# later (7a437691… and 84d14310… before; the other columns are as they were).
ALERTS = {
    3_000: (275, "af7800600584f93f9de76e94a7aed3bb"),
    20_000: (3844, "91f7f0f135769a52295c076381d2b3ca"),
}

_DIGEST = """SELECT count(*) AS alerts,
                    coalesce(md5(string_agg((to_jsonb(a) - 'seq' - 'raised_at')::text, E'\\n'
                                            ORDER BY alert_id)), '') AS digest
             FROM alerts a"""


@dataclass(frozen=True)
class _Round:
    applied: Applied
    alerts: int
    digest: str


async def _one_round(database_url: str, workload: Workload) -> _Round:
    events = workload.events
    pool = await open_pool(database_url, migrate=False)
    try:
        # As ingest stores them, a batch at a time: an award is judged by what the log held
        # before it, its batch's events ahead of it included (`records_in_order`).
        for start in range(0, len(events), BATCH):
            await event_log.append(pool, events[start : start + BATCH])
        registry = registry_consumer(FixedClock(TOKYO), load_policies())
        for start in range(0, len(events), LIVE_BATCH):
            await apply_batch(pool, registry, events[start : start + LIVE_BATCH])
        alerts = alerts_consumer(Settings(database_url=database_url))
        applied = await applied_alone(database_url, alerts, events, LIVE_BATCH)
        told = await pool.fetchrow(_DIGEST)
        assert told is not None
        return _Round(applied, told["alerts"], told["digest"])
    finally:
        await pool.close()


async def test_alerts_batch_handler_cpu(
    test_databases: postgres.TestDatabases, workload: Workload
) -> None:
    spent = await rounds_on_fresh_databases(test_databases, lambda url: _one_round(url, workload))
    told = {(r.alerts, r.digest) for r in spent}
    print(f"\nalerts told: {told}")
    assert len(told) == 1, told
    if (recorded := ALERTS.get(bench_events())) is not None:
        assert told == {recorded}
    print_cpu(
        len(workload.events),
        {
            "handler": [r.applied.handler for r in spent],
            "batches": [r.applied.batches for r in spent],
            "postgres": [r.applied.postgres for r in spent],
        },
    )
