"""The registry's clock for a command that dates by the registry's day (`export exclusions`'
default day; an import's lifts and amendments, dated the import's day).

"Today" is the registry's: the date in the time zone its processes run with. A command reads
VENDORWATCH_TIMEZONE from its own shell, which need not be the one `up` (or the API and the
workers) was started with: `export exclusions` from a shell without the variable dated its
export by Asia/Tokyo while the registry ran in Etc/GMT+12, a day ahead near midnight, and
listed as barred a vendor whose sanction the registry and its HTTP export still called
upcoming (an import likewise lifted from another day than the registry's). So the zone is the
one every running process records (platform/consuming/running_settings.py), said on stderr
when the shell's differs; with none running on the database (nothing records one), the
shell's. Processes running with different zones (restarted one by one with a new one) give
the registry no one day: the command is refused, naming each process and its zone, as a
rebuild is.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from services.platform.clock import Clock
from services.platform.consuming.running_settings import named, running, zones
from services.platform.errors import StartupError
from services.platform.postgres import database


async def registry_clock(database_url: str, shell: Clock, *, refused: str) -> Clock:
    """The clock in the time zone of the processes running on `database_url`, or `shell`
    (this command's settings') when none runs. Raises StartupError, its message ending with
    `refused` (what the command did, or what it can be given instead), when they run with
    different zones, or with one this machine does not know."""
    conn = await database.connect(database_url)
    try:
        # A database no process of this version has served has no such table: none runs.
        if await conn.fetchval("SELECT to_regclass('running_settings') IS NULL"):
            return shell
        found = zones(await running(conn))
    finally:
        await conn.close()
    if not found:
        return shell
    if len(found) > 1:
        each = "; ".join(f"{named(processes)} in {zone}" for zone, processes in found.items())
        raise StartupError(
            f"the processes running on this database date by different time zones ({each}):"
            " the registry has no one day until every process runs with the same"
            f" VENDORWATCH_TIMEZONE (restart them with it); {refused}"
        )
    [(zone, processes)] = found.items()
    if zone == shell.timezone.key:
        return shell
    try:
        clock = Clock(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise StartupError(
            f"the registry's time zone, {zone!r} (that of {named(processes)}), is not in"
            f" this machine's time zone database; {refused}"
        ) from None
    click.echo(
        f"dated by the registry's time zone, {zone} (that of {named(processes)}), not"
        f" this shell's {shell.timezone.key} (VENDORWATCH_TIMEZONE): its day is"
        f" {clock.today().isoformat()}",
        err=True,
    )
    return clock
