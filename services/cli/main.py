"""The `vendorwatch` command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, BinaryIO

import click

from services.cli import (
    database_choice,
    distributed,
    embedded,
    exporting,
    importing,
    instances,
    publishing,
    rebuilding,
)
from services.cli.database_choice import database_options
from services.cli.kafka import kafka_group
from services.cli.schema_export import export_all
from services.cli.serving import ensure_port_free
from services.cli.tokens import token_group
from services.migration.http_exports import FORMATS, latest_snapshot
from services.platform import verification
from services.platform.auth import Role, auth_config, issue_token
from services.platform.database import open_pool
from services.platform.errors import StartupError
from services.platform.eventlog.faust_runtime import HealthEndpoint
from services.platform.logs import LOG_FORMAT_ENV, LOG_FORMATS, configure_logging
from services.platform.rebuilding import BrokenChain
from services.platform.settings import Settings, default_data_dir
from services.registry.exclusion_formats import FORMATS as EXCLUSION_FORMATS

LOG_LEVELS = click.Choice(["debug", "info", "warn", "error"])


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    # SIGTERM stops like Ctrl-C, through every `finally` (the embedded PostgreSQL, pools):
    # uvicorn, having shut down on it, raises it again, and its default action would kill
    # the process on the spot.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        asyncio.run(coroutine)
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt:
        pass


def _logging(level: str, *, quiet_libraries: bool = False) -> None:
    """Every command logs the same way; the format is the group's --log-format."""
    log_format = click.get_current_context().find_root().params.get("log_format", "json")
    configure_logging(level, log_format, quiet_libraries=quiet_libraries)


@click.group()
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    default="json",
    envvar=LOG_FORMAT_ENV,
    show_default=True,
    help="Log lines as JSON objects (for a collector) or as text (for people). "
    f"Also ${LOG_FORMAT_ENV}.",
)
def cli(log_format: str) -> None:
    """VendorWatch: vendor risk and procurement sanction registry."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Embedded PostgreSQL data directory (kept across runs). "
    "Default: $VENDORWATCH_DATA_DIR or the user data directory.",
)
@click.option("--database-url", envvar="DATABASE_URL", help="Use this PostgreSQL instead.")
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
def up(
    host: str, port: int, data_dir: Path | None, database_url: str | None, log_level: str
) -> None:
    """Embedded mode: all services and the GraphQL API in one process."""
    _logging(log_level)

    async def main() -> None:
        ensure_port_free(host, port)  # before a token is printed for a server that cannot start
        home = (data_dir or default_data_dir()).expanduser().resolve()
        auth = auth_config(os.environ, home)
        graphql = f"http://{host}:{port}/graphql"
        async with embedded.database(database_url, home) as url:
            # Where it runs, for the other commands (database_choice.py), while it runs.
            here = instances.Instance(os.getpid(), url, home, database_url is None, graphql)
            with instances.recorded(here):
                click.echo(f"VendorWatch GraphQL at {graphql}")
                if auth.hs256_secret is not None:
                    token = issue_token(auth.hs256_secret, subject="local-admin", role=Role.ADMIN)
                    click.echo(
                        f"Local admin token (12 h; more: vendorwatch token create):\n{token}"
                    )
                await embedded.run_up(Settings(database_url=url), auth, host, port)

    _run(main())


@cli.command()
@click.argument("service", type=click.Choice(sorted(distributed.WORKERS)))
@click.option("--kafka", "kafka", required=True, envvar="KAFKA_BOOTSTRAP_SERVERS")
@click.option("--database-url", required=True, envvar="DATABASE_URL")
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
@click.option(
    "--health-port",
    type=int,
    help="Serve GET /healthz on this port (503 once a consumer has stalled). Default: off.",
)
@click.option("--health-host", default="127.0.0.1", show_default=True)
def worker(
    service: str,
    kafka: str,
    database_url: str,
    log_level: str,
    health_port: int | None,
    health_host: str,
) -> None:
    """Distributed mode: run one service's Kafka consumers."""
    _logging(log_level)
    health = HealthEndpoint(health_host, health_port) if health_port is not None else None
    try:
        distributed.run_worker(
            service, Settings(database_url=database_url, kafka_bootstrap=kafka), log_level, health
        )
    except StartupError as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@click.option("--kafka", "kafka", required=True, envvar="KAFKA_BOOTSTRAP_SERVERS")
@click.option("--database-url", required=True, envvar="DATABASE_URL")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
def api(kafka: str, database_url: str, host: str, port: int, log_level: str) -> None:
    """Distributed mode: the GraphQL API, submitting into Kafka."""
    _logging(log_level)

    async def main() -> None:
        # Inside _run: a bad VENDORWATCH_KAFKA_* setting is one line, not a traceback.
        settings = Settings(database_url=database_url, kafka_bootstrap=kafka)
        await distributed.run_api(settings, auth_config(os.environ, None), host, port)

    _run(main())


@cli.command()
@click.argument("file", type=click.File("rb"))
@click.option("--kafka", "kafka", envvar="KAFKA_BOOTSTRAP_SERVERS", help="Distributed mode.")
@database_options
def publish(
    file: BinaryIO, kafka: str | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Send events (JSON lines; - for stdin) into the event log of either mode. Prints how
    many were accepted and why the others were refused (by line); exits 1 if any was."""
    # "error": the refusals are reported by line at the end, not also as ingest's warnings.
    _logging("error", quiet_libraries=True)
    _run(publishing.run(file, kafka, database_url, data_dir))


@cli.command(name="import")
@click.argument("source", type=click.Choice(sorted(importing.LISTS)))
@click.argument("file", type=click.File("rb"))
@click.option("--kafka", "kafka", envvar="KAFKA_BOOTSTRAP_SERVERS", help="Distributed mode.")
@click.option("--dry-run", is_flag=True, help="Read and check every row; send nothing.")
@database_options
def import_list(
    source: str,
    file: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
) -> None:
    """Import a debarment list (the World Bank's, the IDB's, the EBRD's CSV) as vendors and
    debarments, or an OCDS contract register (`ocds`: a release or record package) as vendors
    and contracts; prints what it read and refused; exits 1 if anything was refused."""
    _logging("error", quiet_libraries=True)
    _run(importing.run(source, file, kafka, database_url, data_dir, dry_run))


@cli.command()
@database_options
def verify(database_url: str | None, data_dir: Path | None) -> None:
    """Walk the event log's hash chains and check every service's ledger against it; exit 1
    and name the first event that no longer matches."""
    _logging("warn", quiet_libraries=True)

    async def main() -> None:
        async with database_choice.database(database_url, data_dir) as url:
            pool = await open_pool(url)
            try:
                async with pool.acquire() as conn:
                    # bigint: sum() of bigints is numeric, which asyncpg reads as a Decimal.
                    total = await conn.fetchval(
                        "SELECT coalesce(sum(seq), 0)::bigint FROM event_chain_heads"
                    )
                with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
                    result = await verification.verify(pool, bar.update)
            finally:
                await pool.close()
        if result.intact:
            click.echo(f"intact: {result.events} events in {len(result.heads)} chains")
            for partition, head in sorted(result.heads.items()):
                click.echo(f"  partition {partition} head {head}")
            return
        for problem in result.problems:
            click.echo(f"broken: {problem}", err=True)
        raise SystemExit(1)

    _run(main())


def _rebuild_options(command: Callable[..., None]) -> Callable[..., None]:
    """--force, --model and the database options of every rebuild."""
    command = click.option(
        "--force", is_flag=True, help="Rebuild even from a log that fails verification."
    )(command)
    command = click.option(
        "--model",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        envvar="VENDORWATCH_RISK_MODEL",
        help="Risk scoring model file (default: the packaged model).",
    )(command)
    return database_options(command)


def _rebuild(
    names: list[str],
    database_url: str | None,
    data_dir: Path | None,
    model: Path | None,
    force: bool,
) -> None:
    _logging("warn", quiet_libraries=True)

    async def main() -> None:
        async with database_choice.database(database_url, data_dir) as url:
            settings = Settings(database_url=url, risk_model=model)
            try:
                read = await rebuilding.rebuild(settings, names, force=force)
            except BrokenChain as broken:
                raise click.ClickException(str(broken)) from None
        for name, events in read.items():
            click.echo(f"rebuilt {name} from {events} events")

    _run(main())


@cli.command("rebuild")
@click.argument("projection", type=click.Choice([*rebuilding.PROJECTIONS, "all"]), default="all")
@_rebuild_options
def rebuild(
    projection: str,
    database_url: str | None,
    data_dir: Path | None,
    model: Path | None,
    force: bool,
) -> None:
    """Replay a service's state (or all, registry first) from the event log while the system
    runs, announcing nothing again; refused when the log fails verification (see verify)."""
    names = list(rebuilding.PROJECTIONS) if projection == "all" else [projection]
    _rebuild(names, database_url, data_dir, model, force)


@cli.group("risk")
def risk_group() -> None:
    """Risk scores: rebuild them from the event log."""


@risk_group.command("rebuild")
@_rebuild_options
def risk_rebuild(
    database_url: str | None, data_dir: Path | None, model: Path | None, force: bool
) -> None:
    """Recompute every score and the whole history from the event log (a replay, or a new
    model version): `vendorwatch rebuild risk`."""
    _rebuild(["risk"], database_url, data_dir, model, force)


@cli.group("migration")
def migration_group() -> None:
    """Migration plans: export them."""


@migration_group.command("export")
@click.argument("plan_id")
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="svg", show_default=True
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="File to write (default: PLAN_ID-vVERSION.FORMAT in the current directory).",
)
@database_options
def migration_export(
    plan_id: str, fmt: str, output: Path | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Write a plan's latest version as CSV or as a Gantt chart (SVG)."""
    _logging("warn", quiet_libraries=True)

    async def main() -> None:
        async with database_choice.database(database_url, data_dir) as url:
            pool = await open_pool(url)
            try:
                snapshot = await latest_snapshot(pool, plan_id)
            finally:
                await pool.close()
        if snapshot is None:
            raise StartupError(f"no scheduled plan {plan_id!r}")
        render, _ = FORMATS[fmt]
        path = output or Path(f"{plan_id}-v{snapshot.version}.{fmt}")
        path.write_text(render(snapshot), encoding="utf-8")
        click.echo(f"wrote version {snapshot.version} of {plan_id} to {path}")

    _run(main())


@cli.group("export")
def export_group() -> None:
    """Exports for other systems."""


@export_group.command("exclusions")
@click.option(
    "--format",
    "format_",
    type=click.Choice(sorted(EXCLUSION_FORMATS)),
    default="csv",
    show_default=True,
    help="csv: SAM.gov's columns; json: JSON lines; ftm: FollowTheMoney.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to list the barred vendors of (default: today, in the registry's time zone).",
)
@database_options
def export_exclusions(
    format_: str, as_of: dt.datetime | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Every vendor barred on a day with its names, identifiers and every reason, to stdout."""
    _logging("warn", quiet_libraries=True)
    day = as_of.date() if as_of else None
    _run(exporting.write_exclusions(format_, day, database_url, data_dir, sys.stdout))


@cli.group()
def schemas() -> None:
    """Generated artefacts: event JSON Schemas and the GraphQL SDL."""


@schemas.command("export")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("."),
    show_default=True,
    help="The repository root to write schemas/events/ and graphql/schema.graphql into.",
)
def export(root: Path) -> None:
    """Write schemas/events/*.json and graphql/schema.graphql from the code."""
    for path in export_all(root):
        click.echo(str(path))


cli.add_command(token_group)
cli.add_command(kafka_group)


def main() -> None:
    cli()
