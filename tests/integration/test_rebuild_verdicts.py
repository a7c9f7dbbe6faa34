"""The registry rebuilt alone must not judge events otherwise than risk and migration saw
them: after a policy change, `rebuild registry` is refused, changing nothing, and `rebuild
all` rebuilds every projection on the new verdicts."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.settings import Settings
from services.registry import setup as registry_setup
from tests.support import case_b

pytestmark = pytest.mark.postgres

_VERDICTS = "SELECT event_id, refused FROM processed_events WHERE consumer = 'registry'"


def lenient_policies(tmp_path: Path) -> Path:
    """The packaged policy with serious cases tripled (up to 27 months), not doubled."""
    packaged = files("services.registry").joinpath("policies", "city-example.toml").read_text()
    assert "aggravation_factor = 2\n" in packaged
    (tmp_path / "city.toml").write_text(
        packaged.replace("aggravation_factor = 2\n", "aggravation_factor = 3\n"), encoding="utf-8"
    )
    return tmp_path


async def test_a_registry_rebuilt_alone_on_other_verdicts_is_refused(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    live = Settings(database_url=database_url, policy_dir=lenient_policies(tmp_path))
    long = case_b.suspended(duration_months=24)  # within the lenient policy, not the packaged
    await EmbeddedEventLog(pool, ingest_batch).submit(
        [case_b.line(e) for e in (case_b.registered(), long)]
    )
    await drain(pool, registry_setup.consumer(live, registry_setup.policies(live)))
    before = await pool.fetch(_VERDICTS)
    assert sorted(r["refused"] for r in before) == [False, False]

    packaged = Settings(database_url=database_url)  # the policy back to the packaged one
    with pytest.raises(rebuilding.VerdictsChanged) as refused:
        await rebuilding.rebuild(packaged, ["registry"], force=True)
    assert "1 events otherwise" in str(refused.value) and long["event_id"] in str(refused.value)
    assert await pool.fetch(_VERDICTS) == before
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 1

    await rebuilding.rebuild(packaged, list(rebuilding.PROJECTIONS), force=True)
    verdicts = {str(r["event_id"]): r["refused"] for r in await pool.fetch(_VERDICTS)}
    assert verdicts[long["event_id"]] is True
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 0


async def test_events_the_live_registry_had_not_judged_yet_are_no_change(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The live registry lags behind the log (an import under way): the replay judges events
    nobody acted on yet, which is no reason to refuse it."""
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    await log.submit([case_b.line(case_b.registered())])
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    await log.submit([case_b.line(case_b.suspended())])  # stored, not judged yet
    read = await rebuilding.rebuild(settings, ["registry"], force=True)
    assert read == {"registry": 2}
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 1
