"""`vendorwatch import`: a debarment list or an OCDS register into the event log."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from services.cli import importing
from services.cli.database_choice import database_options
from services.cli.running import configure, run
from services.imports import planning


@click.command(name="import")
@click.argument("source", type=click.Choice(sorted(planning.LISTS)))
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
    """Import a debarment list (the World Bank's, the IDB's, the EBRD's CSV; `jp_suspension`:
    a Japanese 指名停止一覧 in VendorWatch's CSV layout; `jp_meti`: METI's barred entities;
    `exclusions`: another VendorWatch's `export exclusions --format json`) as vendors and
    sanctions, or an OCDS contract register (`ocds`: a release or record package) as vendors
    and contracts; prints what it read and refused; exits 1 if anything was."""
    configure("error", quiet_libraries=True)
    run(importing.run(source, file, kafka, database_url, data_dir, dry_run))
