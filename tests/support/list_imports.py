"""`vendorwatch import` as a user runs it, for the integration tests of list imports: the
command through click into an embedded log on a real PostgreSQL, the registry then applying
what it sent (no `vendorwatch up` runs), and the registry's answer for a listed firm."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import uuid
from pathlib import Path

from click.testing import CliRunner

from services.cli.main import cli
from services.imports.entries import ListEntry
from services.imports.events import lifted, sanction_id, vendor_id
from services.imports.lists import worldbank
from services.ingest.handlers import ingest_batch
from services.platform.postgres.database import open_pool
from services.platform.settings import Settings
from tests.support.live_consumers import drain_registry
from tests.support.registry_db import eligibility


def imported(source: str, file: Path, database_url: str, *options: str) -> tuple[int, str]:
    """Runs `vendorwatch import SOURCE FILE --database-url …` (its exit code and what it
    printed, stdout and stderr), then lets the registry apply what it sent."""
    args = ["import", source, str(file), "--database-url", database_url, *options]
    result = CliRunner().invoke(cli, args)
    asyncio.run(drain_registry(database_url, Settings(database_url=database_url)))
    return result.exit_code, result.output


def _entry(row: str, header: str) -> ListEntry:
    [entry] = [e for e in worldbank.entries(io.StringIO(header + row)) if type(e) is ListEntry]
    return entry


def worldbank_vendor(row: str, header: str) -> str:
    """The vendor id a World Bank row's firm is registered under (a first import's)."""
    return vendor_id(_entry(row, header))


def lifted_by_hand(database_url: str, row: str, header: str, on: dt.date) -> None:
    """A World Bank row's debarment (a first import's) lifted from `on` by someone, not by an
    import (an event of its own), the registry then applying it."""
    entry = _entry(row, header)
    by_list = lifted("worldbank", vendor_id(entry), sanction_id(entry), entry.authority, on)
    by_hand = by_list.model_copy(update={"event_id": uuid.uuid4(), "source": "api"})

    async def sent() -> None:
        pool = await open_pool(database_url, migrate=False)
        try:
            await ingest_batch(pool, [by_hand.model_dump_json(exclude_none=True).encode()])
        finally:
            await pool.close()
        await drain_registry(database_url, Settings(database_url=database_url))

    asyncio.run(sent())


def eligible(database_url: str, vendor: str, day: str) -> bool:
    """`bidEligibility`'s `eligible` for the vendor on `day`, as the registry holds it now."""

    async def asked() -> bool:
        pool = await open_pool(database_url, migrate=False)
        try:
            return (await eligibility(pool, vendor, day)).eligible
        finally:
            await pool.close()

    return asyncio.run(asked())
