"""A process of a release older than its database does not write to it. One of this release
or later, started against a database a newer release migrated, refuses to start, naming both
(the migrations' runner). One of the release before the recorded orders' seals, still
running after the new release's migrations ran (a distributed worker started before the
upgrade), cannot write its claims' order or risk's unsealed: its statement is refused whole,
with why, and its batch stalls rather than being applied or refused (platform migration
0013, risk 0014). Before, those statements succeeded, and `vendorwatch verify` named their
rows as inserted after the last seal: tampering, for an auditor, where an upgrade was rolled
instead of made whole; and an old process started against a newer database ran."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.ingest.handlers import ingest_batch
from services.platform.consuming.consumer import Consumer, apply_batch
from services.platform.eventstore import verification
from services.platform.postgres.database import Connection
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.live_consumers import applied_live, drain_registry
from tests.support.processes import free_port, run_cli

pytestmark = pytest.mark.postgres

# The registry's and migration's claim as the release before the seals ran it (consumer.py's
# `_claim` before platform migration 0009, `ledger_claims.claim` since): kept as that release
# sent it, not shared with today's statement. The order numbered by claim_order's own sequence,
# no seal written, no head moved.
CLAIM_BEFORE_THE_SEALS = """WITH claimed AS (
       INSERT INTO processed_events (consumer, event_id)
       SELECT $1, t.event_id FROM unnest($2::uuid[]) AS t(event_id)
       WHERE $6::text IS NULL OR NOT EXISTS (
           SELECT 1 FROM processed_events j
           WHERE j.consumer = $6 AND j.event_id = t.event_id AND j.refused
       )
       ON CONFLICT DO NOTHING RETURNING event_id
   ), saved AS (
       INSERT INTO consumer_offsets (consumer, partition, seq)
       SELECT $1, partition - 1, seq FROM unnest($3::bigint[])
           WITH ORDINALITY AS o(seq, partition)
       ON CONFLICT (consumer, partition) DO UPDATE
       SET seq = EXCLUDED.seq, updated_at = now()
   ), ordered AS (
       INSERT INTO claim_order (consumer, event_id)
       SELECT $1, t.event_id FROM unnest($2::uuid[]) WITH ORDINALITY AS t(event_id, n)
       WHERE $5 AND t.event_id IN (SELECT event_id FROM claimed)
       ORDER BY n
   )
   SELECT c.event_id, s.recorded_at FROM claimed c
   LEFT JOIN event_store s ON $4 AND s.event_id = c.event_id"""

# Risk's `add_events` as the release before its seals (risk migration 0013) ran it.
RECORDED_BEFORE_THE_SEALS = """INSERT INTO risk_events (event_id)
   SELECT event_id FROM unnest($1::uuid[]) WITH ORDINALITY AS e(event_id, n)
   ORDER BY n
   RETURNING seq, event_id"""

REFUSED = (
    "rows of the recorded order in {table} written without their seal (seq {seq}, event"
    " {event}): this process is of a release before the recorded orders were sealed, and the"
    " database was upgraded under it"
)


async def _sealed_history(pool: asyncpg.Pool, database_url: str) -> EventEnvelope:
    """B registered and applied by the new release (a sealed order for the registry and
    risk), then B's suspension stored but not yet applied by anyone: the old worker's next."""
    await ingest_batch(pool, [case_b.line(case_b.registered())])
    await applied_live(pool, database_url)
    suspension = case_b.suspended()
    await ingest_batch(pool, [case_b.line(suspension)])
    assert (await verification.verify(pool)).intact
    return parse_event(case_b.line(suspension))


async def _next_seq(pool: asyncpg.Pool, sequence: str) -> int:
    """The seq the next row will be numbered with (read without drawing it)."""
    seq: int = await pool.fetchval(
        f"SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {sequence}"
    )
    return seq


async def test_the_registrys_claim_of_the_release_before_the_seals_is_refused(
    pool: asyncpg.Pool, database_url: str
) -> None:
    suspension = await _sealed_history(pool, database_url)
    seq = await _next_seq(pool, "claim_order_seq_seq")

    async with pool.acquire() as conn:
        with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError) as refused:
            async with conn.transaction():
                await conn.fetch(
                    CLAIM_BEFORE_THE_SEALS,
                    "registry",
                    [suspension.event_id],
                    [],
                    False,
                    True,  # the registry records its order
                    None,
                )
    assert refused.value.message == REFUSED.format(
        table="claim_order", seq=seq, event=suspension.event_id
    )
    assert "an upgrade is whole, not rolling" in (refused.value.hint or "")
    # Refused whole: not claimed, so the new release applies it, in its sealed order.
    claimed = "SELECT count(*) FROM processed_events WHERE event_id = $1"
    assert await pool.fetchval(claimed, suspension.event_id) == 0
    result = await verification.verify(pool)
    assert result.intact, result.problems
    await applied_live(pool, database_url)
    assert await pool.fetchval(claimed, suspension.event_id) > 0
    result = await verification.verify(pool)
    assert result.intact, result.problems


async def _recorded_as_before(conn: Connection, events: Sequence[EventEnvelope]) -> None:
    await conn.fetch(RECORDED_BEFORE_THE_SEALS, [e.event_id for e in events])


async def test_a_risk_worker_of_the_release_before_the_seals_stalls_and_refuses_nothing(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Risk records its order inside its handler: the refusal is no fault of the event (which
    the consumer would refuse, for good, as the release before would every event it read),
    but a failure of the batch, rolled back and raised for the worker to retry, loudly."""
    suspension = await _sealed_history(pool, database_url)
    await drain_registry(database_url, Settings(database_url=database_url))  # its verdict
    risk_before_the_seals = Consumer(
        name="risk",
        handlers={suspension.event_type: lambda conn, e: _recorded_as_before(conn, [e])},
        verdict_from="registry",
        apply_all=_recorded_as_before,
    )
    seq = await _next_seq(pool, "risk_events_seq_seq")

    with pytest.raises(asyncpg.ObjectNotInPrerequisiteStateError) as refused:
        await apply_batch(pool, risk_before_the_seals, [suspension])
    assert refused.value.message == REFUSED.format(
        table="risk_events", seq=seq, event=suspension.event_id
    )
    claimed = "SELECT count(*) FROM processed_events WHERE consumer = 'risk' AND event_id = $1"
    assert await pool.fetchval(claimed, suspension.event_id) == 0
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    result = await verification.verify(pool)
    assert result.intact, result.problems
    await applied_live(pool, database_url)  # the new release's risk applies it, sealed
    assert await pool.fetchval(claimed, suspension.event_id) == 1
    result = await verification.verify(pool)
    assert result.intact, result.problems


@pytest.mark.parametrize("command", ["up", "worker"])
async def test_a_process_older_than_its_database_refuses_to_start(
    pool: asyncpg.Pool, database_url: str, command: str
) -> None:
    """Embedded or distributed: the process says which migration of the database it does not
    know and where its own release ends, and exits before any consumer or request runs."""
    await pool.execute(
        "INSERT INTO schema_migrations (package, version, name, checksum)"
        " VALUES ('services.platform', 9999, 'of_a_newer_release', 'x')"
    )
    last = await pool.fetchval(
        "SELECT max(version) FROM schema_migrations"
        " WHERE package = 'services.platform' AND version < 9999"
    )
    name = await pool.fetchval(
        "SELECT name FROM schema_migrations WHERE package = 'services.platform' AND version = $1",
        last,
    )
    args = {
        "up": ["up", "--port", str(free_port())],
        "worker": ["worker", "registry", "--kafka", f"127.0.0.1:{free_port()}"],
    }[command]
    done = await asyncio.to_thread(run_cli, *args, "--database-url", database_url)

    assert done.returncode == 1, (done.stdout, done.stderr)
    assert (
        "the database was migrated by a newer release than this process's: it has applied"
        f" services.platform 9999_of_a_newer_release, where this release ends at"
        f" services.platform {last:04d}_{name}. Stop this process and run the release that"
        " migrated the database: an upgrade is whole, not rolling"
    ) in done.stderr, done.stderr
    assert await pool.fetchval("SELECT count(*) FROM processed_events") == 0
