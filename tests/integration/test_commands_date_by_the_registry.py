"""Commands that date by the registry's day (`export exclusions`' default day, an import's
lifts) take it in the time zone the running registry uses, not the shell's: an export from a
shell without `up`'s VENDORWATCH_TIMEZONE listed as barred a vendor the registry (and its
HTTP export) still called upcoming. With nothing running on the database, the shell's zone;
with processes in different zones, refused naming each. On a real PostgreSQL, the running
process saying its settings as `up` does."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.cli import exporting, importing
from services.platform.consuming.rebuilt_notices import forget_when_rebuilt
from services.platform.consuming.running_settings import TIME_ZONE, this_process
from services.platform.errors import StartupError
from services.platform.settings import Settings
from tests.integration.test_rebuild_running_settings import until_running, up_running
from tests.support import case_b
from tests.support.list_imports import worldbank_vendor
from tests.support.live_consumers import drain_registry
from tests.support.registry_db import apply, eligibility
from tests.support.worldbank_csv import HEADER

pytestmark = pytest.mark.postgres

# UTC−12 and UTC+14: 26 hours apart, so never the same day, whenever the test runs.
REGISTRY_ZONE, SHELL_ZONE = "Etc/GMT+12", "Etc/GMT-14"
FIRM = "GRAND MOTORS LLC,*678,BAKU,Azerbaijan,2024-12-10,2035-12-09,Fraud\n"
OTHER = "MR. RUFAT MAJIDOV,*677,BAKU,Azerbaijan,2024-12-10,2033-08-09,Fraud\n"


def _registry(database_url: str) -> Settings:
    """The settings the running registry was started with (not this shell's)."""
    return Settings(database_url=database_url, timezone=ZoneInfo(REGISTRY_ZONE))


def _shells_day() -> dt.date:
    return dt.datetime.now(ZoneInfo(SHELL_ZONE)).date()


async def _exported(database_url: str, as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """`vendorwatch export exclusions --format json` (with `--as-of` if given), its lines."""
    out = io.StringIO()
    await exporting.write_exclusions("json", as_of, database_url, None, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def _sanctioned_from_the_shells_day(pool: asyncpg.Pool) -> dt.date:
    """Vendor B suspended from today in the shell's zone: a day or two to come in the
    registry's; that first day."""
    first = _shells_day()
    decided = (first - dt.timedelta(days=1)).isoformat()  # the authority's rule: the day after
    await apply(
        pool,
        case_b.registered(),
        case_b.suspended(decided_on=decided, starts_on=first.isoformat()),
    )
    return first


async def test_the_export_is_of_the_running_registrys_day_not_the_shells(
    pool: asyncpg.Pool,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VENDORWATCH_TIMEZONE", SHELL_ZONE)
    first = await _sanctioned_from_the_shells_day(pool)
    registry = _registry(database_url)

    async with up_running(pool, registry) as process:
        registry_day = registry.clock.today()
        [line] = await _exported(database_url)
    # Eligible on the registry's day, as the registry answers: barred only later.
    assert line["asOf"] == registry_day.isoformat() != first.isoformat()
    assert line["reasons"] == []
    assert [bar["startsOn"] for bar in line["upcoming"]] == [first.isoformat()]
    said = capsys.readouterr().err
    assert (
        f"dated by the registry's time zone, {REGISTRY_ZONE} (that of {process}), not this"
        f" shell's {SHELL_ZONE} (VENDORWATCH_TIMEZONE): its day is {registry_day.isoformat()}"
    ) in said

    # Nothing running on the database: the shell's zone, said nothing of.
    [line] = await _exported(database_url)
    assert line["asOf"] == _shells_day().isoformat()
    assert [reason["startsOn"] for reason in line["reasons"]] == [first.isoformat()]
    assert capsys.readouterr().err == ""


async def test_processes_in_different_zones_are_named_and_the_export_refused(
    pool: asyncpg.Pool,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VENDORWATCH_TIMEZONE", SHELL_ZONE)
    first = await _sanctioned_from_the_shells_day(pool)
    shells = Settings(database_url=database_url)

    async with up_running(pool, shells):
        # Running in the shell's own zone: nothing to say.
        [line] = await _exported(database_url)
        assert line["asOf"] == _shells_day().isoformat()
        assert capsys.readouterr().err == ""
        # Another process restarted in another zone: no one day.
        async with up_running(pool, _registry(database_url), "vendorwatch api") as api:
            with pytest.raises(StartupError) as refused:
                await _exported(database_url)
            said = str(refused.value)
            assert f"in {SHELL_ZONE}; {api} in {REGISTRY_ZONE})" in said, said
            assert "every process runs with the same VENDORWATCH_TIMEZONE" in said
            assert said.endswith("nothing was exported; give the day with --as-of")
            # A day given needs no zone.
            [line] = await _exported(database_url, as_of=first)
            assert line["asOf"] == first.isoformat()


async def test_an_import_lifts_from_the_running_registrys_day(
    pool: asyncpg.Pool,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VENDORWATCH_TIMEZONE", SHELL_ZONE)
    registry = _registry(database_url)
    both, without = tmp_path / "wb.csv", tmp_path / "wb_v2.csv"
    both.write_text(HEADER + FIRM + OTHER, encoding="utf-8")
    without.write_text(HEADER + OTHER, encoding="utf-8")
    firm = worldbank_vendor(FIRM, HEADER)
    with both.open("rb") as file:
        await importing.run("worldbank", file, None, database_url, None, dry_run=False)
    await drain_registry(database_url, registry)

    async with up_running(pool, registry) as process:
        registry_day = registry.clock.today()
        # The firm is no longer listed: lifted from the import's day, the registry's.
        with without.open("rb") as file:
            await importing.run("worldbank", file, None, database_url, None, dry_run=False)
    await drain_registry(database_url, registry)

    # Eligible from the registry's day (the shell's is a day or two later), not before.
    assert (await eligibility(pool, firm, registry_day.isoformat())).eligible
    before = (registry_day - dt.timedelta(days=1)).isoformat()
    assert not (await eligibility(pool, firm, before)).eligible
    said = capsys.readouterr()
    assert "1 lifted" in said.out, said.out
    assert f"registry's time zone, {REGISTRY_ZONE} (that of {process})" in said.err


async def test_a_registry_zone_this_machine_does_not_know_is_said(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A process on a machine whose time zone database has a zone this one lacks."""
    process = this_process("vendorwatch worker registry")
    task = asyncio.create_task(forget_when_rebuilt(pool, process, {TIME_ZONE: "Mars/Base"}))
    try:
        await until_running(pool, 1)
        with pytest.raises(StartupError) as refused:
            await _exported(database_url)
        assert str(refused.value) == (
            f"the registry's time zone, 'Mars/Base' (that of {process}), is not in this"
            " machine's time zone database; nothing was exported; give the day with --as-of"
        )
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
