"""What every projection's rebuild shares: exclusion from live batches, a clean start in one
transaction, and no rebuild from a log that has been tampered with (checked_replay.py).

A rebuild runs while the system runs. It holds its consumer's lock (consumer_lock.py)
exclusively, on the one connection of a pool of its own, for the whole of its reset and
replay: live batches of that consumer wait meanwhile, then skip through the ledger what the
rebuild applied. The rebuild's own batches run on that same connection, and a session never
conflicts with its own locks. Reset and replay are one transaction there
(postgres/one_transaction.py): readers, the API among them, see the projection as it was
until the rebuild commits, never emptied or half replayed, and a rebuild that fails leaves
it as it was.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg

from services.platform.consuming.consumer_lock import lock_key
from services.platform.eventstore import order_seals
from services.platform.postgres.database import SERVER_SETTINGS, Connection


class BrokenChain(RuntimeError):
    """The event log no longer matches its hash chains: replaying it would make its edits
    the truth."""


async def _keep_locks(_: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset on release, which would drop the session's advisory locks."""


@asynccontextmanager
async def exclusive_pool(
    database_url: str, consumer: str, *also: int
) -> AsyncIterator[asyncpg.Pool]:
    """A pool of one connection holding `consumer`'s lock (and the `also` keys: the periodic
    jobs that write the same state) exclusively until it closes; waits for running batches."""

    async def lock(conn: asyncpg.Connection) -> None:
        for key in (lock_key(consumer), *also):
            await conn.execute("SELECT pg_advisory_lock($1)", key)

    pool = await asyncpg.create_pool(
        database_url,
        min_size=1,
        max_size=1,
        init=lock,
        reset=_keep_locks,
        server_settings=SERVER_SETTINGS,
    )
    try:
        yield pool
    finally:
        await pool.close()  # ends the session, and with it the locks


async def empty(conn: Connection, tables: Sequence[str], *, restart_identity: bool = False) -> None:
    """Deletes every row of `tables`, in that order (a table before those it references), in
    the rebuild's transaction. Not TRUNCATE: its lock would hold every reader of the tables
    until the rebuild commits, where DELETE leaves them the rows as they were meanwhile.
    Like TRUNCATE, it fires no trigger of the tables': those refusing to remove a row others
    name (registry_vendors_kept, risk_events_kept) guard against a handler's mistake, not a
    rebuild emptying the rows that name it too; they are back on before the rows come back
    (the lock this takes lets readers through, and writers wait on the consumer's lock
    anyway). `restart_identity`: the sequences the tables own start again, as TRUNCATE's
    RESTART IDENTITY does (also undone if the transaction is), so that rows are numbered as
    when the log was first applied."""
    # One round trip; the names come from the code, never from input. The foreign keys left
    # check each row deleted with a prepared query, planned again at every row under the
    # pool's force_custom_plan (database.py): 10,000 contracts took 180 ms, 53 ms planned once.
    await conn.execute(
        "SET LOCAL plan_cache_mode = auto;"
        + "".join(
            f" ALTER TABLE {t} DISABLE TRIGGER USER; DELETE FROM {t};"
            f" ALTER TABLE {t} ENABLE TRIGGER USER;"
            for t in tables
        )
        + " RESET plan_cache_mode;"
    )
    if restart_identity:
        owned = await conn.fetch(
            """SELECT s.oid::regclass::text AS name FROM pg_class s
               JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
               WHERE s.relkind = 'S' AND d.deptype IN ('a', 'i')
                 AND d.refobjid = ANY($1::regclass[])""",
            list(tables),
        )
        for row in owned:
            await conn.execute(f"ALTER SEQUENCE {row['name']} RESTART")


# What the consumer had applied when its rebuild took its lock: the replay applies that, and
# no more (replay.py, "What live processing had reached"). A table of the rebuild's session
# (each projection's has its own), dropped with its transaction.
REACHED = "replay_reached"


async def forget_progress(conn: Connection, consumer: str) -> None:
    """The consumer's ledger and recorded order, gone: the log is applied to it again from
    the start (its refusals too: they are judged again, and their dead letters are kept
    once), as far as it had applied it, which is kept first (`REACHED`). Its offsets stay:
    live processing goes on from where it was, applying (and announcing) what it had not
    reached. The order a replay follows is read as committed, before this."""
    await conn.execute(
        f"CREATE TEMPORARY TABLE {REACHED} (event_id uuid PRIMARY KEY, refused boolean NOT NULL)"
        " ON COMMIT DROP"
    )
    await conn.execute(
        f"INSERT INTO {REACHED} SELECT event_id, refused FROM processed_events WHERE consumer = $1",
        consumer,
    )
    for table in ("processed_events", "claim_order"):
        await conn.execute(f"DELETE FROM {table} WHERE consumer = $1", consumer)
    # The replay seals the recorded order again from the start (order_seals.py): its claims,
    # or a service's own insert into the table it names in `recorded_orders` (risk's).
    await conn.execute(
        "UPDATE claim_order_heads SET seq = 0, seal = $2 WHERE consumer = $1",
        consumer,
        order_seals.GENESIS,
    )


async def reached(conn: Connection, event_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """Of these events, those the consumer whose rebuild holds `conn` had applied when it
    began, each with whether it refused it."""
    rows = await conn.fetch(
        f"SELECT event_id, refused FROM {REACHED} WHERE event_id = ANY($1::uuid[])",
        list(event_ids),
    )
    return {r["event_id"]: r["refused"] for r in rows}
