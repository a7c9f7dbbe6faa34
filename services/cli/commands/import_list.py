"""`vendorwatch import`: a debarment list or an OCDS register into the event log."""

from __future__ import annotations

from pathlib import Path
from typing import IO, BinaryIO

import click

from services.cli import importing
from services.cli.database_choice import database_options
from services.cli.import_messages import REFUSALS_OPTION
from services.cli.running import configure, run
from services.imports import planning


@click.command(name="import")
@click.argument("source", type=click.Choice(sorted(planning.LISTS)))
@click.argument("file", type=click.File("rb"))
@click.option("--kafka", "kafka", envvar="KAFKA_BOOTSTRAP_SERVERS", help="Distributed mode.")
@click.option("--dry-run", is_flag=True, help="Read and check every row; send nothing.")
@click.option(
    "--body",
    "bodies",
    multiple=True,
    metavar="措置機関",
    help="jp_suspension: a body this file is the whole 指名停止一覧 of, even if it lists none"
    " of its suspensions (each of the body's recorded suspensions the file does not list is"
    " lifted); repeat for several. Without it, a file speaks for the bodies its rows name.",
)
@click.option(
    "--allow-empty",
    "empty_allowed",
    is_flag=True,
    help="exclusions: the file may list no vendor (the exporting registry bars no one): every"
    " sanction of the earlier exports is lifted. Without it such a file is refused, as a"
    " failed export saved to a file looks the same.",
)
@click.option(
    "--allow-mass-lift",
    "mass_lift_allowed",
    is_flag=True,
    help="The list did drop many debarments at once: lift them. Without it, a file that would"
    " lift more than 10% of the list's debarments in force, and more than 10, is refused"
    " before anything is sent (a file cut short reads so).",
)
@click.option(
    REFUSALS_OPTION,
    "refusals",
    # A path, opened once every option is checked: a refused command leaves no file behind.
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    metavar="FILE",
    help="Lists: write every refused row to FILE as it is refused, a CSV of its line and"
    " reason (- for stdout); with --dry-run too. Without it the first 20 are printed and the"
    " rest counted by cause.",
)
@database_options
def import_list(
    source: str,
    file: BinaryIO,
    kafka: str | None,
    database_url: str | None,
    data_dir: Path | None,
    dry_run: bool,
    bodies: tuple[str, ...],
    empty_allowed: bool,
    mass_lift_allowed: bool,
    refusals: str | None,
) -> None:
    """Import a debarment list (the World Bank's, the IDB's, the EBRD's CSV; `jp_suspension`:
    a Japanese 指名停止一覧 in VendorWatch's CSV layout; `jp_meti`: METI's barred entities;
    `exclusions`: another VendorWatch's `export exclusions --format json`) as vendors and
    sanctions, or an OCDS contract register (`ocds`: a release or record package) as vendors
    and contracts; prints what it read and refused; exits 1 if anything was.

    A list's lifts and amendments are dated the import's day in the registry's time zone:
    the VENDORWATCH_TIMEZONE of the processes running on the database (said on stderr when
    this shell's differs; refused while they run with different ones), this shell's when
    none runs or, with --kafka, no database is given."""
    if bodies and source not in planning.BY_AUTHORITY:
        raise click.UsageError(f"--body is for jp_suspension only: a {source} file names no bodies")
    if empty_allowed and source not in planning.REGISTRY_EXPORTS:
        raise click.UsageError(
            f"--allow-empty is for exclusions only: an empty {source} file is never the list"
        )
    if any(not body.strip() for body in bodies):
        raise click.UsageError("--body: a body's name, as the list's 措置機関 column gives it")
    configure("error", quiet_libraries=True)
    if mass_lift_allowed and source == "ocds":
        raise click.UsageError("--allow-mass-lift is for lists: an OCDS import lifts nothing")
    if refusals is not None and source == "ocds":
        raise click.UsageError(
            f"{REFUSALS_OPTION} is for lists: an OCDS import prints what it refused"
        )
    refusals_file: IO[str] | None = (
        None if refusals is None else click.open_file(refusals, "w", encoding="utf-8")
    )
    try:
        run(
            importing.run(
                source,
                file,
                kafka,
                database_url,
                data_dir,
                dry_run,
                bodies,
                empty_allowed,
                mass_lift_allowed,
                refusals_file,
            )
        )
    finally:
        if refusals_file is not None:
            refusals_file.close()
