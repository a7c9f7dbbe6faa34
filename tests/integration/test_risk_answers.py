"""The risk service's answers for the benchmarks' workload at the CI size (3,000 events): every
history row, current and announced score, announcement and evidence body the same, to the
bit, as the code they were recorded with gave (tests/support/risk_answers.py). What makes risk
cheaper must not change what it says."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support import event_log, workload
from tests.support.risk_answers import DIGESTS, apply_workload, digests
from tests.support.throughput import CI_EVENTS

pytestmark = pytest.mark.postgres


async def test_the_workloads_scores_history_and_evidence_are_those_recorded(
    pool: asyncpg.Pool, database_url: str
) -> None:
    events = workload.build(CI_EVENTS)
    await event_log.append(pool, events.events)
    await apply_workload(pool, events)
    assert await digests(database_url) == DIGESTS[CI_EVENTS]
