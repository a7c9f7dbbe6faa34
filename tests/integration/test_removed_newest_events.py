"""A partition's newest events removed by its database owner with no hash computed: the rows
deleted, and the head, the readers' offsets, the ledgers and the recorded orders set back to
the row before, every value read from the tables. What is left is an intact chain, and
`verify` said so, and a rebuild replayed fewer events. The heads an earlier walk saw
(recorded with its result, or kept by an auditor from `verify`'s output) say otherwise."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore import chain, chain_checks, verification
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.live_consumers import applied_live
from tests.support.processes import run_cli

pytestmark = pytest.mark.postgres

PARTITION = chain.partition_of(case_b.VENDOR)
# Of each recorded order (`claim_order` by consumer, risk's `risk_events`), the head of
# PARTITION set back to its last sealed row left.
_ORDER_HEADS_BACK = """
    UPDATE claim_order_heads h SET (seq, seal) = (
        SELECT coalesce(max(o.seq), 0),
               coalesce((array_agg(o.seal ORDER BY o.seq DESC))[1], repeat('0', 64))
        FROM {table} o JOIN event_store s USING (event_id)
        WHERE {consumer} AND s.partition = h.partition AND o.seal IS NOT NULL)
    WHERE h.partition = $1 AND {heads}"""


async def _removed(pool: asyncpg.Pool, event_id: uuid.UUID) -> int:
    """The newest event of PARTITION removed as its owner can, every trigger and foreign key
    off, and everything that named it set back; returns its seq."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        seq = await conn.fetchval(
            "DELETE FROM event_store WHERE event_id = $1 RETURNING seq", event_id
        )
        await conn.execute(
            """UPDATE event_chain_heads SET seq = $2, chain_hash = (
                   SELECT chain_hash FROM event_store WHERE partition = $1 AND seq = $2)
               WHERE partition = $1""",
            PARTITION,
            seq - 1,
        )
        await conn.execute(
            "UPDATE consumer_offsets SET seq = $2 WHERE partition = $1 AND seq > $2",
            PARTITION,
            seq - 1,
        )
        await conn.execute("DELETE FROM processed_events WHERE event_id = $1", event_id)
        await conn.execute("DELETE FROM claim_order WHERE event_id = $1", event_id)
        for table in ("risk_history", "risk_event_subjects"):
            await conn.execute(
                f"DELETE FROM {table} WHERE seq IN"
                " (SELECT seq FROM risk_events WHERE event_id = $1)",
                event_id,
            )
        await conn.execute("DELETE FROM risk_events WHERE event_id = $1", event_id)
        await conn.execute(
            _ORDER_HEADS_BACK.format(
                table="claim_order",
                consumer="o.consumer = h.consumer",
                heads="h.consumer <> 'risk'",
            ),
            PARTITION,
        )
        await conn.execute(
            _ORDER_HEADS_BACK.format(
                table="risk_events", consumer="true", heads="h.consumer = 'risk'"
            ),
            PARTITION,
        )
    assert isinstance(seq, int)
    return seq


async def _walked(pool: asyncpg.Pool) -> verification.Verification:
    """A walk of the log recorded, as the hourly watch and `verify` record theirs."""
    walked = await verification.verify(pool)
    assert walked.intact, walked.problems
    await chain_checks.record(pool, walked.events, [str(p) for p in walked.problems], walked.heads)
    return walked


@pytest.fixture
async def suspension(pool: asyncpg.Pool, database_url: str) -> uuid.UUID:
    """Vendor B registered, then suspended, each applied by every service; the id of the
    suspension, its partition's newest event."""
    await ingest_batch(pool, [case_b.line(case_b.registered())])
    await applied_live(pool, database_url)
    suspended = case_b.suspended()
    await ingest_batch(pool, [case_b.line(suspended)])
    await applied_live(pool, database_url)
    return uuid.UUID(suspended["event_id"])


async def test_a_walk_names_the_head_an_earlier_walk_saw_and_a_rebuild_refuses(
    suspension: uuid.UUID, pool: asyncpg.Pool, database_url: str
) -> None:
    seen = await _walked(pool)
    seq = await _removed(pool, suspension)

    result = await verification.verify(pool)

    checked_at = await pool.fetchval("SELECT checked_at FROM chain_verifications")
    assert [str(p) for p in result.problems] == [
        f"partition {PARTITION}: events were removed or rewritten since the walk of"
        f" {checked_at.astimezone(dt.UTC).isoformat(timespec='seconds')} (unless its row was"
        " inserted by hand):"
        f" its head was seq {seq} with chain hash {seen.heads[PARTITION][1]}, and the log holds"
        f" no event at seq {seq}"
    ]
    with pytest.raises(BrokenChain, match="events were removed or rewritten since the walk"):
        await rebuilding.rebuild(
            Settings(database_url=database_url), ["registry", "risk", "migration"], force=False
        )


async def test_heads_kept_outside_the_database_are_checked_when_the_walks_are_gone_too(
    suspension: uuid.UUID, pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    """The auditor keeps `verify`'s output; the owner removes the events and, past the guard,
    every recorded walk as well: only the kept heads still tell."""
    code, out, err = await _run_verify(database_url)
    assert code == 0, err
    kept = tmp_path / "heads.txt"
    kept.write_text(out, encoding="utf-8")
    assert (await _run_verify(database_url, "--heads", str(kept)))[0] == 0
    seq = await _removed(pool, suspension)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("DELETE FROM chain_verifications")

    assert (await _run_verify(database_url))[0] == 0  # what stays undetectable without them
    code, broken, err = await _run_verify(database_url, "--heads", str(kept))

    assert code == 1 and not broken
    head = next(line for line in out.splitlines() if f"partition {PARTITION} " in line)
    assert err.splitlines()[-1:] == [
        f"broken: partition {PARTITION}: events were removed or rewritten since the heads of"
        f" {kept}: its head was seq {seq} with chain hash {head.split()[-1]}, and the log"
        f" holds no event at seq {seq}"
    ]


async def test_heads_an_auditor_gives_are_judged_for_that_auditor_not_recorded(
    suspension: uuid.UUID, pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    """A wrong file (another deployment's output, a typo) had `verify` record its finding as
    the log's: /healthz said broken and the row, the latest walk, put the hourly walk off by
    an hour. Only its auditor can vouch for the file: what it finds is said to them, and the
    log's own walk is what /healthz is given."""
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(f"  partition {PARTITION} seq 2 head {'1' * 64}\n", encoding="utf-8")

    code, out, err = await _run_verify(database_url, "--heads", str(wrong))

    assert code == 1 and not out
    assert (
        f"broken: partition {PARTITION}: events were removed or rewritten since the heads of"
        f" {wrong}: its head was seq 2 with chain hash {'1' * 64}"
    ) in err
    latest = await chain_checks.latest(pool)
    assert latest is not None
    assert latest.report()["status"] == "intact" and latest.problems == ()
    assert "/healthz is given the log's own walk alone (intact)" in err


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "holds no heads: give the output of an intact verify"),
        ("intact: 2 events in 6 chains\n  partition 9 seq 1 head " + "a" * 64, "line 2, is not"),
        ("broken: partition 1, seq 2: its content was changed", "line 1, is not a head"),
        # It gave a traceback and exit 3: the seq was sent as a bigint, which it is not.
        (f"  partition 0 seq {2**63} head {'1' * 64}", f"line 1, names seq {2**63}, past any"),
        (f"  partition 0 seq {'9' * 5000} head {'1' * 64}", "line 1, is not a head"),
    ],
)
async def test_heads_that_are_not_verify_s_output_are_a_usage_error(
    database_url: str, tmp_path: Path, text: str, why: str
) -> None:
    kept = tmp_path / "heads.txt"
    kept.write_text(text, encoding="utf-8")
    code, _, err = await _run_verify(database_url, "--heads", str(kept))
    assert code == 2 and why in err and "Traceback" not in err


async def _run_verify(database_url: str, *args: str) -> tuple[int, str, str]:
    done = await asyncio.to_thread(run_cli, "verify", "--database-url", database_url, *args)
    return done.returncode, done.stdout, done.stderr
