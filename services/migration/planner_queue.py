"""Which plans the planner solves when, so that one plan's solve holds up no other.

The planner solved the plans due one after the other under one lock for every replica: while
a 300-item plan ran a 60-second solve, a 7-item plan of another agency stayed "not up to
date" for 61 s, and a plan's time limit may be set to 600 s. Now each plan is solved under a
lock of its own (one solve per plan at a time, across replicas), beside the planners' shared
hold on `PLANNER_LOCK_KEY` (a rebuild takes it exclusively: no plan half replayed is solved);
a process solves up to `SOLVES_AT_ONCE` plans at a time, the smallest due first (but one due
for `WAITED_SECONDS` before them, so small plans coming one after the other cannot keep a
large one waiting), and at most `SOLVES_AT_ONCE - 1` of them given a time limit longer than
the default, so that a slot is always left for the others; and a pass starts solves without
waiting for those under way (`PlanQueue.start_due`). The solver runs in a worker thread
(`planner.replan`), off the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import asyncpg

from services.migration import planner
from services.migration.planner_lock import PLAN_LOCK_CLASS, PLANNER_LOCK_KEY
from services.migration.planning.model import PlanSettings
from services.migration.storage import plan_repository
from services.platform.clock import Clock
from services.platform.operations.outages import is_outage
from services.platform.postgres.database import Connection
from services.platform.postgres.session_state import keeps_session_state

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Pooled = PoolConnectionProxy[asyncpg.Record]

log = logging.getLogger(__name__)

# How many plans one process solves at a time: the machine's two cores (each solve's CP-SAT
# runs two workers, so two solves share them).
SOLVES_AT_ONCE = 2
# A plan given a longer time limit than the default may hold its slot for up to ten minutes.
LONG_SOLVE_SECONDS = PlanSettings(starts_on=dt.date.min).time_limit_seconds
PLANS_LISTED = 20
# A plan due this long goes ahead of smaller ones (plans_due_by_size).
WAITED_SECONDS = 60.0


class PlanQueue:
    """One process's planner: the solves it has under way, by plan."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Clock,
        started: Callable[[asyncio.Task[bool]], None] = lambda _solve: None,
    ) -> None:
        self._pool = pool
        self._clock = clock
        self._started = started  # told of each solve as it starts (a worker's shutdown)
        self._solving: dict[str, bool] = {}  # plan → whether its time limit is long
        self._tasks: set[asyncio.Task[bool]] = set()

    async def pass_for(self, seconds: float) -> None:
        """Starts the solves due, and again as each ends, for up to `seconds`: many small
        plans due at once (a list barring a hundred vendors) are solved as fast as they end,
        not two a pass. Returns early when nothing runs, or when the solves that ended all
        failed (tried again at the next pass, not over and over within this one)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            await self.start_due()
            left = deadline - loop.time()
            if left <= 0 or not self._tasks:
                return
            ended, _ = await asyncio.wait(
                set(self._tasks), timeout=left, return_when=asyncio.FIRST_COMPLETED
            )
            if not any(not t.cancelled() and t.exception() is None and t.result() for t in ended):
                return

    async def start_due(self) -> list[asyncio.Task[bool]]:
        """Starts a solve of each plan due that is not under way here, smallest first, while
        a slot is free; returns the solves started (each gives whether it ran: False when it
        failed). A plan another replica solves is passed over at once, its lock tried before
        a slot is taken: tried in its slot, it held the slot for nothing, and two such plans
        the whole pass. Raises what reading the plans due or trying a lock raises (an
        outage: the caller's loop waits it out)."""
        async with self._pool.acquire() as conn:
            due = await plan_repository.plans_due_by_size(conn, PLANS_LISTED, WAITED_SECONDS)
        started = []
        for plan_id, time_limit in due:
            if len(self._solving) >= SOLVES_AT_ONCE:
                break
            long = time_limit > LONG_SOLVE_SECONDS
            if plan_id in self._solving or (
                long and sum(self._solving.values()) >= SOLVES_AT_ONCE - 1
            ):
                continue
            locked = await self._locked(plan_id)
            if locked is None:
                continue  # another replica's (or a rebuild runs): the next plan may have it
            self._solving[plan_id] = long
            task = asyncio.create_task(self._solve(locked, plan_id), name=f"plan {plan_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self._started(task)
            started.append(task)
        return started

    async def close(self) -> None:
        """Stops the solves under way, their searches ended (planner.replan)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _locked(self, plan_id: str) -> Pooled | None:
        """A connection holding the plan's lock, or None (given back) when it is taken."""
        conn = await self._pool.acquire()
        try:
            keeps_session_state(conn)
            if await _lock(conn, plan_id):
                return conn
        except BaseException:
            await self._pool.release(conn)
            raise
        await self._pool.release(conn)
        return None

    async def _solve(self, conn: Pooled, plan_id: str) -> bool:
        try:
            try:
                await planner.replan(conn, plan_id, self._clock)
                return True
            finally:
                await _unlock(conn, plan_id)
        except Exception as error:
            # One plan the planner cannot schedule (a fault in its code, or an outage) must
            # not stop the others: said, and tried again at the next pass.
            if is_outage(error):
                log.warning("plan %s not scheduled: %s", plan_id, error)
            else:
                log.exception("plan %s could not be scheduled", plan_id)
                # Ranked by how long it has waited, a plan failing at every pass would come
                # first at every pass, and two of them would take both slots for good.
                await plan_repository.waits_again(conn, plan_id)
            return False
        finally:
            del self._solving[plan_id]
            await self._pool.release(conn)


async def _lock(conn: Connection, plan_id: str) -> bool:
    """The planners' shared hold (none while a rebuild runs), then the plan's own lock."""
    if not await conn.fetchval("SELECT pg_try_advisory_lock_shared($1)", PLANNER_LOCK_KEY):
        return False
    if await conn.fetchval(
        "SELECT pg_try_advisory_lock($1, hashtext($2))", PLAN_LOCK_CLASS, plan_id
    ):
        return True
    await conn.execute("SELECT pg_advisory_unlock_shared($1)", PLANNER_LOCK_KEY)
    return False


async def _unlock(conn: Connection, plan_id: str) -> None:
    await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))", PLAN_LOCK_CLASS, plan_id)
    await conn.execute("SELECT pg_advisory_unlock_shared($1)", PLANNER_LOCK_KEY)


async def replan_due(pool: asyncpg.Pool, clock: Clock) -> int:
    """One pass, waited for: the plans due it could start (up to `SOLVES_AT_ONCE`, smallest
    first), solved; how many of them ran."""
    queue = PlanQueue(pool, clock)
    return sum(await asyncio.gather(*await queue.start_due()))


async def replan_all_due(pool: asyncpg.Pool, clock: Clock) -> None:
    """Passes until one schedules nothing (every plan due done, or failing)."""
    while await replan_due(pool, clock) > 0:
        pass
