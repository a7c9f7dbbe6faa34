"""`vendorwatch publish` and `verify`: into the event log, and checking it. (`import`, which
loads the lists' readers and the name matching, is `import_list.py`.)"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from services.cli import database_choice, publishing
from services.cli.database_choice import database_options
from services.cli.running import configure, run
from services.platform.eventstore import verification
from services.platform.postgres.database import open_pool


@click.command()
@click.argument("file", type=click.File("rb"))
@click.option("--kafka", "kafka", envvar="KAFKA_BOOTSTRAP_SERVERS", help="Distributed mode.")
@database_options
def publish(
    file: BinaryIO, kafka: str | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Send events (JSON lines; - for stdin) into the event log of either mode. Prints how
    many were accepted and why the others were refused (by line); exits 1 if any was."""
    # "error": the refusals are reported by line at the end, not also as ingest's warnings.
    configure("error", quiet_libraries=True)
    run(publishing.run(file, kafka, database_url, data_dir))


@click.command()
@database_options
def verify(database_url: str | None, data_dir: Path | None) -> None:
    """Walk the event log's hash chains and check every service's ledger against it; exit 1
    and name the first event that no longer matches."""
    configure("warn", quiet_libraries=True)

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

    run(main())
