"""`vendorwatch export exclusions`: who is barred on a day, for other systems, streamed
(CSV in SAM.gov's columns, JSON lines, or FollowTheMoney entities)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TextIO

from services.cli import database_choice
from services.cli.registry_clock import registry_clock
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings
from services.registry.exports.exclusion_formats import WITH_LATER_BARS, exported
from services.registry.exports.exclusions import exclusions


async def write_exclusions(
    format_: str,
    as_of: dt.date | None,
    database_url: str | None,
    data_dir: Path | None,
    out: TextIO,
) -> None:
    """Writes the export to `out` a vendor at a time (memory stays the same however many).
    Without `as_of`, the day is today in the registry's time zone (cli/registry_clock.py)."""
    async with database_choice.database(database_url, data_dir) as url:
        if as_of is None:
            shell = Settings(database_url=url).clock
            refused = "nothing was exported; give the day with --as-of"
            as_of = (await registry_clock(url, shell, refused=refused)).today()
        pool = await open_pool(url)
        try:
            later = format_ in WITH_LATER_BARS
            async for text in exported(format_, exclusions(pool, as_of, later=later)):
                out.write(text)
        finally:
            await pool.close()
