"""`vendorwatch migration export`, `export exclusions` and `schemas export`: what other
systems and the repository's generated artefacts get."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from services.cli import database_choice, exporting
from services.cli.database_choice import database_options
from services.cli.running import configure, run
from services.cli.schema_export import export_all
from services.migration.api.http_exports import FORMATS, latest_snapshot
from services.platform.errors import StartupError
from services.platform.postgres.database import open_pool
from services.registry.domain.era_dates import InvalidDate, parse_day
from services.registry.exports.exclusion_formats import FORMATS as EXCLUSION_FORMATS


class Day(click.ParamType):
    """A day as the API reads one: ISO (2026-12-04) or a Japanese era date (令和8年12月4日,
    R8.12.4), in the years the registry reads, as `?asOf=` on the export's URL takes it."""

    name = "date"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(str(value))
        except InvalidDate as error:
            self.fail(str(error), param, ctx)


def _writable_here(ctx: click.Context, param: click.Parameter, path: Path | None) -> Path | None:
    """A file to write must have a directory to be written in: said before the plan is read,
    not as a traceback once it has been (click checks only a path that exists already)."""
    if path is None:
        return None
    directory = path.parent
    if not directory.exists():
        raise click.BadParameter(f"'{path}': its directory '{directory}' does not exist")
    if not directory.is_dir():
        raise click.BadParameter(f"'{path}': '{directory}' is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise click.BadParameter(f"'{path}': the directory '{directory}' is not writable")
    return path


@click.group("migration")
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
    callback=_writable_here,
    help="File to write (default: PLAN_ID-vVERSION.FORMAT in the current directory).",
)
@database_options
def migration_export(
    plan_id: str, fmt: str, output: Path | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Write a plan's latest version as CSV or as a Gantt chart (SVG)."""
    configure("warn", quiet_libraries=True)

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

    run(main())


@click.group("export")
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
    type=Day(),
    help="The day to list the barred vendors of: 2026-12-04 or 令和8年12月4日 (default: today,"
    " in the registry's time zone: the VENDORWATCH_TIMEZONE of the processes running on the"
    " database, said on stderr when this shell's differs, refused while they run with"
    " different ones; this shell's when none runs).",
)
@database_options
def export_exclusions(
    format_: str, as_of: dt.date | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Every vendor barred on a day with its names, identifiers and every reason, to stdout."""
    configure("warn", quiet_libraries=True)
    run(exporting.write_exclusions(format_, as_of, database_url, data_dir, sys.stdout))


@click.group()
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
