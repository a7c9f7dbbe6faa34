"""`vendorwatch rebuild` and `risk rebuild`: projections replayed from the event log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from services.cli import database_choice, rebuilding
from services.cli.database_choice import database_options
from services.cli.running import configure, run
from services.platform.consuming.checked_replay import NOT_VERIFIED
from services.platform.consuming.rebuilding import BrokenChain
from services.platform.eventstore.event_reads import UnreadableStoredEvent
from services.platform.eventstore.walk_beside import WalkFailed
from services.platform.settings import Settings
from services.platform.wording import plural


def _rebuild_options(command: Callable[..., None]) -> Callable[..., None]:
    """--force, --policy-changed and the database options of every rebuild.

    No option chooses the policies or the risk model: the rebuild judges and scores with
    those every process reads (VENDORWATCH_POLICY_DIR, VENDORWATCH_RISK_MODEL), since the
    API and the workers judge new events and score when read, each with its own process's;
    a rebuild under others would leave the log judged one way and new events another. So it
    is refused while a running process uses others (cli/rebuilding.py), unless told."""
    command = click.option(
        "--policy-changed",
        is_flag=True,
        help="Rebuild even though running processes judge or score with other suspension"
        " policies, risk model or time zone than this command's settings; restart them all"
        " with these settings right after. Restarting them first, then rebuilding, needs no"
        " such option.",
    )(command)
    command = click.option(
        "--force", is_flag=True, help="Rebuild even from a log that fails verification."
    )(command)
    return database_options(command)


def _rebuild(
    names: list[str],
    database_url: str | None,
    data_dir: Path | None,
    force: bool,
    policy_changed: bool,
) -> None:
    configure("warn", quiet_libraries=True)

    async def main() -> None:
        async with database_choice.database(database_url, data_dir) as url:
            settings = Settings(database_url=url)
            try:
                rebuilt = await rebuilding.rebuild(
                    settings, names, force=force, policy_changed=policy_changed
                )
            except (
                BrokenChain,
                WalkFailed,
                rebuilding.VerdictsChanged,
                rebuilding.SettingsDiffer,
                UnreadableStoredEvent,
            ) as refusal:
                raise click.ClickException(str(refusal)) from None
        if overridden := rebuilt.log.overridden:
            # Said first, on stderr: what the projections now rest on.
            if overridden[0].startswith(NOT_VERIFIED):
                # The walk could not be made: nothing is known of the log.
                click.echo(f"--force: replayed a log {overridden[0]}", err=True)
            else:
                click.echo(
                    f"--force: replayed past {plural(len(overridden), 'problem')} the log's"
                    " verification found (the first of each chain; see verify):",
                    err=True,
                )
                for problem in overridden:
                    click.echo(f"  {problem}", err=True)
        numbered, read = rebuilt.log.numbered, rebuilt.log.passed.read
        if numbered is not None and numbered != read:
            click.echo(
                f"the log's chains number {plural(numbered, 'event')}, the replay read"
                f" {plural(read, 'event')} (rows removed or inserted, or events appended"
                " after the replay read to the log's end)",
                err=True,
            )
        for name, events in rebuilt.read.items():
            click.echo(f"rebuilt {name} from {plural(events, 'event')}")
        changed = rebuilt.verdicts_changed
        if changed is not None and (changed.count or changed.unlogged):
            # Rebuilt with its followers, which now act on the new verdicts: said, not
            # refused. The dead letters of what it refused before stay, as a record.
            kept = "; their earlier dead letters stay in deadLetters" if changed.count else ""
            click.echo(f"the registry now {rebuilding.verdicts_said(changed)}{kept}")

    run(main())


@click.command("rebuild")
@click.argument("projection", type=click.Choice([*rebuilding.PROJECTIONS, "all"]), default="all")
@_rebuild_options
def rebuild(
    projection: str,
    database_url: str | None,
    data_dir: Path | None,
    force: bool,
    policy_changed: bool,
) -> None:
    """Replay a service's state (or all, registry first) from the event log while the system
    runs, announcing nothing again; refused when the log fails verification (see verify).

    The registry judges every event again; risk and migration act only on what it accepted.
    After a change that can alter its verdicts (a new suspension policy), rebuild all: the
    registry rebuilt alone is refused, changing nothing, when it judges any event otherwise
    than before (risk and migration would count what it now refuses, and miss what it now
    accepts).

    To change the suspension policies, the risk model or the time zone: restart every
    process (up, or the API and every worker) with the new settings first, then run
    `rebuild all` with the same settings. A rebuild is refused while a running process
    judges or scores with other settings than its own, naming the process (a shell without
    the running processes' VENDORWATCH_POLICY_DIR, or processes not restarted yet), unless
    --policy-changed."""
    names = list(rebuilding.PROJECTIONS) if projection == "all" else [projection]
    _rebuild(names, database_url, data_dir, force, policy_changed)


@click.group("risk")
def risk_group() -> None:
    """Risk scores: rebuild them from the event log."""


@risk_group.command("rebuild")
@_rebuild_options
def risk_rebuild(
    database_url: str | None, data_dir: Path | None, force: bool, policy_changed: bool
) -> None:
    """Recompute every score and the whole history from the event log with the model in
    VENDORWATCH_RISK_MODEL (a replay, or a new model version once every process reads it):
    `vendorwatch rebuild risk`."""
    _rebuild(["risk"], database_url, data_dir, force, policy_changed)
