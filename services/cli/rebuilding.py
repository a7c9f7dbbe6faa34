"""`vendorwatch rebuild`: the projections replayed from the event store while the system runs,
each under its consumer's exclusive lock (platform/consuming/rebuilding.py), all of them in
one pass over the log (platform/consuming/replay.py), the registry's verdicts deciding what
risk and migration see."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass

from services.cli.lost_partway import said_if_lost
from services.migration import rebuild as migration
from services.migration.setup import CONSUMER_NAME as MIGRATION
from services.platform.consuming.applied_order import AppliedOrder
from services.platform.consuming.checked_replay import Replayed, replay_verified
from services.platform.consuming.consumer import Consumer
from services.platform.consuming.rebuilding import exclusive_pool
from services.platform.consuming.rebuilt_notices import announce_rebuilt
from services.platform.consuming.replay import Stage
from services.platform.consuming.running_settings import differences, running, zone_used
from services.platform.postgres.database import Connection, open_pool
from services.platform.postgres.one_transaction import one_transaction
from services.platform.settings import Settings
from services.platform.wording import plural
from services.registry import rebuild as registry
from services.registry import setup as registry_setup
from services.registry.handlers import CONSUMER_NAME as REGISTRY
from services.risk import rebuild as risk
from services.risk import setup as risk_setup
from services.risk.handlers import CONSUMER_NAME as RISK

# The risk calendar re-scores vendors by the day: it must not score a half-replayed state.
from services.risk.jobs import REFRESH_LOCK_KEY as RISK_REFRESH_LOCK_KEY


@dataclass(frozen=True)
class Projection:
    consumer: str
    locks: tuple[int, ...]  # periodic jobs writing the same state
    reset: Callable[[Connection], Awaitable[None]]  # emptied, nothing applied
    replaying: Callable[[Settings], Consumer]  # its consumer, announcing nothing
    # What is left after the replay, in its transaction.
    finish: Callable[[Connection, Settings], Awaitable[None]]
    applied_order: AppliedOrder | None = None  # the order its stage applies the log in
    # What its replay judges and scores with, by fingerprint (running_settings.py).
    uses: Callable[[Settings], dict[str, str]] = zone_used


# In the order `all` rebuilds them.
PROJECTIONS = {
    REGISTRY: Projection(
        REGISTRY,
        registry.LOCKS,
        registry.reset,
        lambda settings: registry.replaying(settings.clock, registry_setup.policies(settings)),
        lambda conn, _: registry.finish(conn),
        registry.APPLIED_ORDER,
        lambda settings: registry_setup.used(settings, registry_setup.policies(settings)),
    ),
    RISK: Projection(
        RISK,
        (RISK_REFRESH_LOCK_KEY,),
        risk.reset,
        lambda settings: risk.replaying(risk_setup.service(settings)),
        lambda conn, settings: risk.finish(conn, risk_setup.service(settings)),
        risk.APPLIED_ORDER,
        lambda settings: risk_setup.used(settings, risk_setup.service(settings)),
    ),
    MIGRATION: Projection(
        MIGRATION,
        migration.LOCKS,
        migration.reset,
        lambda settings: migration.replaying(settings.clock),
        lambda conn, _: migration.finish(conn),
        migration.APPLIED_ORDER,
    ),
}


class VerdictsChanged(Exception):
    """The registry, rebuilt alone, judges events otherwise than risk and migration saw."""

    def __init__(self, changed: registry.ChangedVerdicts, followers: Sequence[str]) -> None:
        super().__init__(
            f"the rebuilt registry {verdicts_said(changed)}, and {' and '.join(followers)}"
            " acted on the old verdicts. Nothing was changed: rebuild them with it,"
            " `vendorwatch rebuild all`."
        )


def verdicts_said(changed: registry.ChangedVerdicts) -> str:
    """What became of the registry's verdicts, after "the registry": events judged
    otherwise, and apart those judged before that are no longer in the log, which a replay
    could not judge otherwise (an auditor read a removed forgery as a verdict changed)."""
    said = []
    if changed.count:
        said.append(
            f"judges {plural(changed.count, 'event')} otherwise than before (accepted where it"
            f" refused, or refused where it accepted; e.g. {_listed(changed.examples)})"
        )
    if changed.unlogged:
        said.append(
            f"no longer finds in the log {plural(changed.unlogged, 'event')} it judged before"
            f" (removed from the log since; e.g. {_listed(changed.unlogged_examples)})"
        )
    return " and ".join(said)


def _listed(event_ids: Sequence[uuid.UUID]) -> str:
    return ", ".join(str(event_id) for event_id in event_ids)


class SettingsDiffer(Exception):
    """Running processes judge or score with other settings than the rebuild would."""

    def __init__(self, differing: Sequence[str]) -> None:
        super().__init__(
            "processes running on this database judge or score with other settings than this"
            f" rebuild: {'; '.join(differing)}. Nothing was changed. Replayed so, the log would"
            " be judged one way and the events to come another (proposeSuspension, the"
            " registry's verdicts, risk's scores), and the next rebuild would find verdicts"
            " changed again. To change a policy, the risk model or the time zone: restart"
            " every process with the new settings first, then rebuild all with them. If this"
            " rebuild's settings are the new ones and the processes cannot be restarted first,"
            " --policy-changed rebuilds anyway: then restart every process with its settings"
            " at once (what they judge meanwhile, they judge the old way)."
        )


async def _refuse_other_settings(
    conn: Connection, settings: Settings, chosen: Sequence[Projection]
) -> None:
    """Raises SettingsDiffer when a running process uses other settings than the chosen
    projections' replays would (of those they use: a migration rebuild minds no policy)."""
    ours: dict[str, str] = {}
    for projection in chosen:
        ours.update(projection.uses(settings))
    if differing := differences(await running(conn), ours):
        raise SettingsDiffer(differing)


# Those that act only on what the registry accepted, and that a rebuild reproduces.
_FOLLOWERS = (RISK, MIGRATION)


@dataclass(frozen=True)
class Rebuilt:
    read: dict[str, int]  # per projection, the events it read
    # What the pass found of the log: the problems --force went past, and then the events
    # the chains number.
    log: Replayed
    # The events the rebuilt registry judges otherwise than before (a policy changed, a log
    # replayed with --force), rebuilt with its followers; None when it was not rebuilt.
    verdicts_changed: registry.ChangedVerdicts | None = None


async def rebuild(
    settings: Settings, names: Sequence[str], *, force: bool, policy_changed: bool = False
) -> Rebuilt:
    """Rebuilds the named projections in one pass over the log; says what each read and
    which verdicts of the registry changed. Refuses (BrokenChain) when the log fails
    verification, walked during the replay, unless `force`: then says what it went past.
    Refuses (SettingsDiffer), before anything, when a running process judges or scores with
    other settings than its replays would, unless `policy_changed`.

    Every projection's locks are taken (in PROJECTIONS' order) and its state emptied before
    the pass: live batches of those consumers wait until the pass is over. Each projection
    is emptied, replayed and finished in one transaction, committed when every projection is
    done: until then readers see them all as they were, and a failure leaves them so. The
    registry rebuilt without its followers is refused (VerdictsChanged) when its verdicts
    changed: their state would count what it now refuses, and miss what it now accepts."""
    chosen = [projection for name, projection in PROJECTIONS.items() if name in names]
    committed: list[str] = []  # the projections whose rebuild is committed, in order

    def told(what: str, where: str) -> str:
        return _lost(what, where, chosen, committed)

    async with said_if_lost(settings.database_url, told=told):
        rebuilt = await _rebuild(
            settings, chosen, names, committed, force=force, policy_changed=policy_changed
        )
    return rebuilt


def _lost(what: str, where: str, chosen: Sequence[Projection], committed: Sequence[str]) -> str:
    """What to tell of a rebuild that lost PostgreSQL partway: nothing committed (each
    projection is rebuilt in one transaction), or which projections were, the others left
    as they were."""
    lost = f"lost {what} at {where} partway through the rebuild"
    if not committed:
        return f"{lost}: nothing was committed, every projection is as it was; rebuild again"
    left = [p.consumer for p in chosen if p.consumer not in committed]
    return (
        f"{lost}: {', '.join(committed)} rebuilt and committed, {', '.join(left)} as"
        f" {'it was' if len(left) == 1 else 'they were'}; rebuild {' '.join(left)} again"
    )


async def _rebuild(
    settings: Settings,
    chosen: Sequence[Projection],
    names: Sequence[str],
    committed: list[str],
    *,
    force: bool,
    policy_changed: bool,
) -> Rebuilt:
    """`rebuild`'s work, each projection's name added to `committed` once committed."""
    pool = await open_pool(settings.database_url)
    try:
        if not policy_changed:
            async with pool.acquire() as conn:
                await _refuse_other_settings(conn, settings, chosen)
        async with AsyncExitStack() as held:
            stages = []
            for projection in chosen:
                locked = await held.enter_async_context(
                    exclusive_pool(settings.database_url, projection.consumer, *projection.locks)
                )
                transaction = await held.enter_async_context(one_transaction(locked))
                async with transaction.acquire() as conn:
                    await projection.reset(conn)
                stages.append(
                    Stage(projection.replaying(settings), transaction, projection.applied_order)
                )
            replayed = await replay_verified(pool, stages, settings.database_url, force=force)
            changed = None
            if REGISTRY in names:
                judge = stages[[p.consumer for p in chosen].index(REGISTRY)]
                async with judge.transaction.acquire() as conn:
                    changed = await registry.changed_verdicts(conn)
                left = [name for name in _FOLLOWERS if name not in names]
                if (changed.count or changed.unlogged) and left:
                    raise VerdictsChanged(changed, left)
            for projection, stage in zip(chosen, stages, strict=True):
                async with stage.transaction.acquire() as conn:
                    await projection.finish(conn, settings)
            # The judge's first: however the process ends between two commits, no follower's
            # ledger says it applied what the registry's does not say it judged. Each commit
            # is announced with it: the running processes forget what they cached from the
            # projection it replaced (a process ending between two commits announces those
            # made).
            for projection, stage in zip(chosen, stages, strict=True):
                async with stage.transaction.acquire() as conn:
                    await announce_rebuilt(conn)
                await stage.transaction.commit()
                committed.append(projection.consumer)
    finally:
        await pool.close()
    replayed.passed.say_refused()  # committed: said of a replay that stands
    read = replayed.passed.read
    return Rebuilt({projection.consumer: read for projection in chosen}, replayed, changed)
