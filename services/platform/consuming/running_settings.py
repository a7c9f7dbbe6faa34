"""What each running process judges and scores events with, for a rebuild to compare with its
own (cli/rebuilding.py), and for a command that dates by the registry's day to take its
time zone (cli/registry_clock.py).

A process loads its suspension policies, risk model and time zone once, at start. A rebuild
under other ones (a policy file changed and only the rebuild told, or a shell without the
running processes' VENDORWATCH_POLICY_DIR) left the running processes judging new events
otherwise than the rebuild judged the old: proposeSuspension still gave the old range, a
new sanction was refused live that the rebuild would accept, and the next rebuild found
verdicts changed again. So each long-running process says what it uses, by fingerprint
(`Used`: what → its fingerprint), in a row of `running_settings`, and a rebuild refuses to
run under other ones unless told (`differences`). The zone they date by (`zones`) is the
registry's: what "today" is for an export's default day and an import's lifts, whatever the
shell running the command was given.

The row is written on the connection the process keeps for its life (the rebuilds'
listener, rebuilt_notices.py), which first takes a session advisory lock of a key of its
own: the row stands for a running process while that lock is held (`pg_locks`, readable by
every role), so a process killed outright, or cut off from PostgreSQL, counts no more, and
one that reconnects writes its row again under a new key.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import asyncpg

from services.platform.errors import StartupError
from services.platform.postgres.database import Connection
from services.platform.settings import Settings

# What a process uses → its fingerprint ("suspension policies" → "example-1:ab12cd34").
Used = Mapping[str, str]

# The time zone that says what "today" and each event's day are, for every service.
TIME_ZONE = "time zone"

# Keys above every consumer's lock (consumer_lock.py: 32 bits) and the jobs' fixed ones.
_KEYS_FROM, _KEYS_TO = 1 << 40, 1 << 62

# The row's lock is held: by the running process that wrote it. A bigint key shows in
# pg_locks as its high and low halves (classid, objid), objsubid 1.
_HELD = """EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid::bigint = r.lock_key >> 32 AND l.objid::bigint = r.lock_key & 4294967295
)"""


@dataclass(frozen=True)
class Running:
    process: str  # who it is: "vendorwatch up (pid 1234 on host-a)"
    used: Used


def zone_used(settings: Settings) -> dict[str, str]:
    """The time zone a service dates and scores by (VENDORWATCH_TIMEZONE)."""
    return {TIME_ZONE: settings.timezone.key}


def zones(processes: Sequence[Running]) -> dict[str, list[str]]:
    """The time zones the running processes date by, each with the processes that use it
    (in `processes`' order); a process that dates nothing (says no zone) is in none."""
    found: dict[str, list[str]] = {}
    for p in processes:
        if TIME_ZONE in p.used:
            found.setdefault(p.used[TIME_ZONE], []).append(p.process)
    return found


def named(processes: Sequence[str]) -> str:
    """The first process, and how many more: a deployment runs the API and many workers."""
    more = len(processes) - 1
    return processes[0] + (f" and {more} other{'s' if more > 1 else ''}" if more else "")


async def same_zone(pool: asyncpg.Pool, used: Used) -> None:
    """Refuses (StartupError) to start a process dating by another time zone than the
    processes running on the database: a risk worker started with VENDORWATCH_TIMEZONE=UTC
    beside Asia/Tokyo ones joined their group and scored its share of the vendors by another
    day, without a word, until a rebuild refused to run beside it. The zone is changed by
    stopping every process and starting them with the new one. A process that dates nothing
    (ingest: `used` names no zone) is not asked. Processes starting at the same instant are
    not held to each other: each checks before it says its own zone (`declare`)."""
    zone = used.get(TIME_ZONE)
    if zone is None:
        return
    async with pool.acquire() as conn:
        found = zones(await running(conn))
    others = "; ".join(f"{named(p)} in {z}" for z, p in found.items() if z != zone)
    if others:
        raise StartupError(
            f"the processes running on this database date by another time zone ({others})"
            f" than this process's VENDORWATCH_TIMEZONE, {zone}: its days and scores would"
            " differ from theirs. Start it with theirs, or stop every process and start them"
            " all with the new one"
        )


def this_process(what: str) -> str:
    """`what` (the command or worker), with the process id and host that tell it apart."""
    return f"{what} (pid {os.getpid()} on {socket.gethostname()})"


async def declare(conn: Connection, process: str, used: Used) -> None:
    """Records, for as long as `conn`'s session lasts, that `process` uses `used`; `conn`
    must be kept for the process's life and marked as keeping session state
    (session_state.keeps_session_state), so that its lock goes with it. Rows of stopped
    processes are removed on the way (a handful: one per process started)."""
    key = secrets.randbelow(_KEYS_TO - _KEYS_FROM) + _KEYS_FROM
    await conn.execute("SELECT pg_advisory_lock($1)", key)
    await conn.execute(f"DELETE FROM running_settings r WHERE NOT {_HELD}")
    await conn.execute(
        "INSERT INTO running_settings (lock_key, process, settings) VALUES ($1, $2, $3::jsonb)",
        key,
        process,
        json.dumps(dict(used)),
    )


async def running(conn: Connection) -> list[Running]:
    """The processes running now, each with what it uses, in the order they started."""
    rows = await conn.fetch(
        f"SELECT process, settings FROM running_settings r WHERE {_HELD} ORDER BY since, process"
    )
    return [Running(row["process"], json.loads(row["settings"])) for row in rows]


def differences(processes: Sequence[Running], ours: Used) -> list[str]:
    """Where a running process uses other settings than `ours` (of those both use), each
    said as "<process> uses <what> <theirs>, this rebuild <ours>"."""
    return [
        f"{p.process} uses {what} {p.used[what]}, this rebuild {mine}"
        for p in processes
        for what, mine in ours.items()
        if what in p.used and p.used[what] != mine
    ]
