"""Issue 16's acceptance: a corpus of bad inputs interleaved with valid events, in both modes.
Every bad one is dead-lettered with a reason, every valid one is applied by the services that
take it, and nothing stalls (every wait is bounded)."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import pytest

from services.cli.consumers import service_consumers
from services.events.catalog import size_problem
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import BATCH_SIZE, Consumer
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.settings import Settings
from services.registry.policy_loading import load_policies
from services.risk import setup as risk_setup
from tests.support.bad_inputs import BadInput, corpus, interleaved, valid_registrations
from tests.support.processes import Service, run_cli, stop_all, wait_until

VALID = 120


def _consumers() -> list[Consumer]:
    settings = Settings(database_url="unused")
    return service_consumers(settings, load_policies(None), risk_setup.service(settings))


def _taking(event_type: str) -> list[str]:
    return [c.name for c in _consumers() if event_type in c.handlers]


async def _missing(
    pool: asyncpg.Pool, bad: Sequence[BadInput], valid: Sequence[uuid.UUID], consumers: list[str]
) -> tuple[list[str], int]:
    """The kinds of bad input not dead-lettered (with a reason) yet, and how many valid
    events are not applied yet by every consumer that takes them."""
    lettered = {
        row["raw_hash"]
        for row in await pool.fetch(
            "SELECT raw_hash FROM dead_letters WHERE stage = 'ingest' AND reason <> ''"
        )
    }
    not_lettered = [b.kind for b in bad if hashlib.sha256(b.raw).hexdigest() not in lettered]
    applied = await pool.fetchval(
        """SELECT count(*) FROM processed_events
           WHERE NOT refused AND consumer = ANY($1::text[]) AND event_id = ANY($2::uuid[])""",
        consumers,
        list(valid),
    )
    return not_lettered, len(valid) * len(consumers) - applied


@pytest.mark.postgres
async def test_embedded_mode_dead_letters_every_bad_input_and_applies_every_valid_one(
    pool: asyncpg.Pool,
) -> None:
    bad, valid = corpus(), valid_registrations(VALID)
    assert len(bad) >= 300
    lines = interleaved(bad, valid)
    log = EmbeddedEventLog(pool, ingest_batch)
    async with asyncio.timeout(60):
        for start in range(0, len(lines), BATCH_SIZE):  # as `vendorwatch publish` does
            await log.submit(lines[start : start + BATCH_SIZE])
        for consumer in _consumers():  # the registry first: the others wait for its verdict
            await drain(pool, consumer)
    takers = _taking("vendor.registered")
    not_lettered, unapplied = await _missing(pool, bad, [i for i, _ in valid], takers)
    assert not_lettered == [] and unapplied == 0
    assert await pool.fetchval("SELECT count(*) FROM event_store") == VALID


@pytest.mark.kafka
@pytest.mark.postgres
def test_distributed_mode_dead_letters_every_bad_input_and_applies_every_valid_one(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    """Through `vendorwatch publish --kafka` (an outside producer) to the ingest worker. An
    input too large to be an event cannot travel through Kafka: publish refuses it itself;
    nor is a blank line of a file an input."""
    bad, valid = corpus(), valid_registrations(VALID)
    travels = [b for b in bad if size_problem(b.raw) is None and b.raw.strip()]
    assert len(travels) >= 300
    common = ["--kafka", kafka_bootstrap, "--database-url", database_url]
    workers = [Service(w, ["worker", w, *common], tmp_path) for w in ("ingest", "registry")]
    try:
        source = tmp_path / "mixed.jsonl"
        # Lines of the file: a newline inside an input would split it, so none is sent whole.
        source.write_bytes(b"\n".join(interleaved(bad, valid)) + b"\n")
        published = run_cli("publish", str(source), *common[:2], timeout=120)
        assert "Traceback" not in published.stderr, published.stderr
        takers = _taking("vendor.registered")
        assert set(takers) <= {"registry"}, "start the worker of every service that takes them"
        ids = [i for i, _ in valid]
        last: list[tuple[list[str], int]] = []

        def settled() -> bool:
            last[:] = [asyncio.run(_check(database_url, travels, ids, takers))]
            return last[0] == ([], 0)

        started = time.monotonic()
        wait_until(settled, "every input judged", timeout=120)
        print(f"settled in {time.monotonic() - started:.1f} s")
    except BaseException:
        for worker in workers:
            print(f"--- {worker.name}\n{worker.log_tail()}")
        print("still missing:", last)
        raise
    finally:
        stop_all(workers)


async def _check(
    url: str, bad: Sequence[BadInput], valid: Sequence[uuid.UUID], consumers: list[str]
) -> tuple[list[str], int]:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    try:
        return await _missing(pool, bad, valid, consumers)
    finally:
        await pool.close()
