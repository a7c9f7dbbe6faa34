"""`vendorwatch publish` and `verify`: into the event log, and checking it. (`import`, which
loads the lists' readers and the name matching, is `import_list.py`.)"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import BinaryIO

import asyncpg
import click
from click.core import ParameterSource

from services.cli import database_choice, publishing
from services.cli.database_choice import database_options
from services.cli.running import configure, run
from services.platform.errors import StartupError
from services.platform.eventstore import chain_checks, verification, walked_heads
from services.platform.operations.outages import is_outage
from services.platform.postgres.database import open_pool, redacted
from services.platform.postgres.migrations import pending_migrations
from services.platform.wording import plural

logger = logging.getLogger(__name__)


@click.command()
@click.argument("file", type=click.File("rb"))
@click.option(
    "--kafka",
    "kafka",
    envvar="KAFKA_BOOTSTRAP_SERVERS",
    show_envvar=True,
    help="Distributed mode: Kafka's bootstrap servers, HOST:PORT (several comma-separated).",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Then wait (up to a minute) for the registry's verdicts, and report its refusals"
    " (embedded mode).",
)
@database_options
def publish(
    file: BinaryIO, kafka: str | None, wait: bool, database_url: str | None, data_dir: Path | None
) -> None:
    """Send events (JSON lines; - for stdin) into the event log of either mode. Prints how
    many were stored (sent, into Kafka) and why the others were refused (by line); exits 1
    if any was. The registry judges the stored events later and may still refuse one:
    eventStatus gives its verdict, or --wait waits for them (exit 1 if it refused any)."""
    if wait and kafka:
        # Named as the user chose Kafka: with KAFKA_BOOTSTRAP_SERVERS exported and no --kafka
        # typed, an error about the distributed mode left them asking why.
        source = click.get_current_context().get_parameter_source("kafka")
        if source is ParameterSource.ENVIRONMENT:
            chosen = (
                "KAFKA_BOOTSTRAP_SERVERS, set in the environment, sends to Kafka (distributed"
                " mode): unset it to publish into the embedded mode's database, or ask eventStatus"
            )
        else:
            chosen = "--kafka sends to Kafka (distributed mode): there, ask eventStatus"
        raise click.UsageError(
            f"--wait reads the registry's verdicts in the embedded mode's database, and {chosen}"
        )
    # "error": the refusals are reported by line at the end, not also as ingest's warnings.
    configure("error", quiet_libraries=True)
    run(publishing.run(file, kafka, database_url, data_dir, wait))


# verify's exit codes: a monitor must tell a broken log (tampering) from a check that could
# not be made (PostgreSQL out of reach, no database in the data directory), which retrying
# later can cure. 1 stays "broken", as before; 2 is click's for a usage mistake.
BROKEN = 1
UNVERIFIED = 3


class _Unverified(click.ClickException):
    """No verdict was reached: one `Error:` line, exit UNVERIFIED."""

    exit_code = UNVERIFIED

    def __init__(self, reason: str) -> None:
        super().__init__(f"the event log could not be verified: {reason}")


# What a role that may only read gets when verify writes (its result, chain_checks.py).
MAY_NOT_WRITE = (asyncpg.InsufficientPrivilegeError, asyncpg.ReadOnlySQLTransactionError)
# What a role not granted SELECT on what verify reads gets (`schema_migrations`, the log):
# no verdict (exit 3), said in one line.
MAY_NOT_READ = asyncpg.InsufficientPrivilegeError


async def _reading_pool(url: str) -> asyncpg.Pool:
    """A pool on a VendorWatch database whose schema is this version's, never migrated: an
    audit writes nothing but its result (a database holding no log at all is refused before,
    by `database_choice.database`). One this version would still migrate is not verified
    either (its rows lack what the walk reads): the processes of this version migrate it
    when they start."""
    pool = await open_pool(url, migrate=False)
    try:
        pending = await pending_migrations(pool)
    except BaseException:
        await pool.close()
        raise
    if pending:
        await pool.close()
        raise StartupError(
            f"the database at {redacted(url)} lacks this version's migrations"
            f" ({', '.join(pending)}): start `vendorwatch up` or a worker of this version to"
            " upgrade it, then verify"
        )
    return pool


def _kept_heads(
    context: click.Context, parameter: click.Parameter, path: Path | None
) -> walked_heads.KeptHeads | None:
    """The heads in the file given, as an earlier `verify` printed them; a usage error
    (exit 2) naming the line that is not one."""
    if path is None:
        return None
    try:
        return walked_heads.read_kept(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, walked_heads.UnreadableHeads) as error:
        raise click.BadParameter(str(error), context, parameter) from None


@click.command()
@click.option(
    "--heads",
    "kept",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_kept_heads,
    help="The output of an earlier verify that passed, kept outside the database: the chains"
    " must still hold each head it printed (the same chain hash at the same seq). A head"
    " they no longer hold is said here, not recorded for /healthz.",
)
@database_options
def verify(
    kept: walked_heads.KeptHeads | None, database_url: str | None, data_dir: Path | None
) -> None:
    """Walk the event log's hash chains and check every service's ledger against it. Prints
    each partition's last seq and head hash when intact (keep them elsewhere, and give them
    to a later verify with --heads: the chains must still hold them). Exits 1 when the log
    is broken, naming the first event that no longer matches, or a head an earlier walk saw
    that is no longer on the chain; 3 when it could not be checked (PostgreSQL out of reach,
    no database in the data directory), which says nothing of the log."""
    configure("warn", quiet_libraries=True)

    async def walk() -> verification.Verification:
        async with database_choice.database(database_url, data_dir) as url:
            pool = await _reading_pool(url)
            try:
                async with pool.acquire() as conn:
                    # bigint: sum() of bigints is numeric, which asyncpg reads as a Decimal.
                    total = await conn.fetchval(
                        "SELECT coalesce(sum(seq), 0)::bigint FROM event_chain_heads"
                    )
                with click.progressbar(length=total, label="verifying", file=sys.stderr) as bar:
                    result = await verification.verify(pool, bar.update, kept)
                # The running processes' /healthz and /metrics report it (chain_checks.py):
                # the log's own state, not what was judged against the file given, which only
                # its auditor can vouch for (a wrong one marked the deployment broken until
                # the next walk, which it postponed by an hour).
                problems = [str(problem) for problem in result.problems]
                try:
                    await chain_checks.record(pool, result.events, problems, result.heads)
                except MAY_NOT_WRITE as error:
                    # A monitor with read-only credentials: the verdict stands, unrecorded.
                    click.echo(
                        "warning: the result could not be recorded for /healthz"
                        f" ({type(error).__name__}: {error})",
                        err=True,
                    )
                return result
            finally:
                await pool.close()

    async def main() -> None:
        try:
            result = await walk()
        except StartupError as error:
            raise _Unverified(str(error)) from None
        except Exception as error:
            # Whatever stopped the walk, it gave no verdict: not the broken log's exit code.
            # An outage, or a role refused what verify reads, is said by the `Error:` line
            # alone (its traceback only at debug level); anything else is logged with its
            # traceback, as a fault of verify's own.
            if is_outage(error) or isinstance(error, MAY_NOT_READ):
                logger.debug("verify stopped before its verdict", exc_info=True)
            else:
                logger.exception("verify stopped before its verdict")
            raise _Unverified(f"{type(error).__name__}: {error}") from error
        if result.intact and not result.kept_lost:
            click.echo(f"intact: {plural(result.events, 'event')} in {len(result.heads)} chains")
            # The seq with the hash: a later walk's head for the same seq must be the same.
            for partition, (seq, head) in sorted(result.heads.items()):
                click.echo(f"  partition {partition} seq {seq} head {head}")
            return
        if kept is not None and result.kept_lost:
            click.echo(
                f"note: what is found against the heads of {kept.source} is said here only;"
                " /healthz is given the log's own walk alone"
                f" ({'intact' if result.intact else 'broken'})",
                err=True,
            )
        for problem in (*result.problems, *result.kept_lost):
            click.echo(f"broken: {problem}", err=True)
        raise SystemExit(BROKEN)

    run(main(), unwritten_exit=UNVERIFIED)
