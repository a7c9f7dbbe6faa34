"""An import reads the registry once the registry has judged what the log holds: run
straight after another, it read a registry that had not applied the first's events, imposed
again what was on its way and lifted none of it. Behind for good (no `vendorwatch up` applying
the log), the import stops before sending anything."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from services.cli import registry_caught_up
from services.cli.main import cli
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import drain
from services.platform.postgres.database import open_pool
from tests.support import case_b
from tests.support.postgres import count_now
from tests.support.registry import REGISTRY

pytestmark = pytest.mark.postgres

LIST = (
    "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    "Ineligibility Period To Date,Grounds\n"
    "GRAND MOTORS LLC,*678,BAKU,Azerbaijan,2024-12-10,2027-08-09,Fraud\n"
)
STORED = "SELECT count(*) FROM event_store"


def _import(file: Path, database_url: str, *options: str) -> tuple[int, str]:
    args = ["import", "worldbank", str(file), "--database-url", database_url, *options]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


async def _unjudged_registration(database_url: str) -> None:
    """An event in the log that nothing judges: no registry consumer runs."""
    pool = await open_pool(database_url, migrate=False)
    try:
        await ingest_batch(pool, [case_b.line(case_b.registered())])
    finally:
        await pool.close()


async def _registry_judges(database_url: str) -> None:
    pool = await open_pool(database_url, migrate=False)
    try:
        await drain(pool, REGISTRY)
    finally:
        await pool.close()


def test_an_import_waits_for_the_registry_and_stops_if_it_stays_behind(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_caught_up, "WAIT_SECONDS", 0.5)
    file = tmp_path / "list.csv"
    file.write_text(LIST, encoding="utf-8")
    asyncio.run(_unjudged_registration(database_url))
    stored = count_now(database_url, STORED)

    code, said = _import(file, database_url)
    assert code == 1, said
    assert "waiting for the registry to judge the 1 event of" in said
    assert "the registry has not judged 1 event of the log after 0 s" in said
    assert "nothing was sent" in said
    assert count_now(database_url, STORED) == stored
    # A dry run compares with the registry as it stands, and says so.
    code, said = _import(file, database_url, "--dry-run")
    assert code == 0 and "compared with the registry as it stands" in said, said

    asyncio.run(_registry_judges(database_url))
    code, said = _import(file, database_url)
    assert code == 0, said
    assert "waiting for the registry" not in said
    assert count_now(database_url, STORED) > stored
