"""The registry rebuilt alone must not judge events otherwise than risk and migration saw
them: after a policy change, `rebuild registry` is refused, changing nothing, and `rebuild
all` rebuilds every projection on the new verdicts; a rule added later leaves the events
recorded before it their verdicts."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.cli import rebuilding
from services.ingest.handlers import ingest_batch
from services.platform.eventlog.embedded import EmbeddedEventLog, drain
from services.platform.eventstore import later_rules
from services.platform.security.auth import Role
from services.platform.settings import Settings
from services.registry import rebuild as registry_rebuild
from services.registry import setup as registry_setup
from tests.support import case_b
from tests.support.in_process_api import over_http
from tests.support.principals import token

pytestmark = pytest.mark.postgres

_VERDICTS = "SELECT event_id, refused FROM processed_events WHERE consumer = 'registry'"
_DAY = dt.timedelta(days=1)


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
    assert "1 event otherwise" in str(refused.value) and long["event_id"] in str(refused.value)
    assert await pool.fetch(_VERDICTS) == before
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 1

    # Rebuilt with its followers: done, and said (an auditor read nothing of it before).
    rebuilt = await rebuilding.rebuild(packaged, list(rebuilding.PROJECTIONS), force=True)
    assert rebuilt.verdicts_changed is not None
    assert rebuilt.verdicts_changed.count == 1
    assert [str(i) for i in rebuilt.verdicts_changed.examples] == [long["event_id"]]
    verdicts = {str(r["event_id"]): r["refused"] for r in await pool.fetch(_VERDICTS)}
    assert verdicts[long["event_id"]] is True
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 0


_STATUS = """
query ($id: ID!) {
  eventStatus(eventId: $id) {
    appliedBy refusedBy pending deadLetters { stage reason overturned }
  }
}"""


async def _status(pool: asyncpg.Pool, event_id: str) -> dict[str, Any]:
    body = await over_http(pool, token(Role.AUDITOR), _STATUS, id=event_id)
    assert "errors" not in body, body["errors"]
    status: dict[str, Any] = body["data"]["eventStatus"]
    return status


async def test_a_refusal_a_rebuild_overturns_is_shown_so_beside_the_new_verdict(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    """Refused live under one policy, accepted by `rebuild all` under another: the dead
    letter stays (what was refused then, and why), marked overturned, so that `eventStatus`
    gives one verdict, the registry's ledger's, not an applied event beside a live refusal."""
    live = Settings(database_url=database_url)
    long = case_b.suspended(duration_months=24)  # beyond the packaged policy, not the lenient
    await EmbeddedEventLog(pool, ingest_batch).submit(
        [case_b.line(e) for e in (case_b.registered(), long)]
    )
    await drain(pool, registry_setup.consumer(live, registry_setup.policies(live)))
    refused = await _status(pool, long["event_id"])
    assert refused["refusedBy"] == ["REGISTRY"] and refused["appliedBy"] == []
    (letter,) = refused["deadLetters"]
    assert (letter["stage"], letter["overturned"]) == ("REGISTRY", False)

    lenient = Settings(database_url=database_url, policy_dir=lenient_policies(tmp_path))
    rebuilt = await rebuilding.rebuild(lenient, list(rebuilding.PROJECTIONS), force=True)
    assert rebuilt.verdicts_changed is not None and rebuilt.verdicts_changed.count == 1
    accepted = await _status(pool, long["event_id"])
    assert "REGISTRY" in accepted["appliedBy"] and accepted["refusedBy"] == []
    assert accepted["deadLetters"] == [{**letter, "overturned": True}]


async def test_events_the_live_registry_had_not_judged_yet_are_no_change(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """The live registry lags behind the log (an import under way): events nobody acted on
    yet are no reason to refuse the rebuild, nor does it judge them: the live registry
    does, once the rebuild commits (test_rebuild_keeps_announcements.py)."""
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    await log.submit([case_b.line(case_b.registered())])
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    await log.submit([case_b.line(case_b.suspended())])  # stored, not judged yet
    rebuilt = await rebuilding.rebuild(settings, ["registry"], force=True)
    assert rebuilt.read == {"registry": 2}
    assert rebuilt.verdicts_changed == registry_rebuild.ChangedVerdicts(0, ())
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 0
    await drain(pool, registry_setup.consumer(settings, registry_setup.policies(settings)))
    assert await pool.fetchval("SELECT count(*) FROM registry_sanctions") == 1


async def test_a_rule_added_later_leaves_the_events_recorded_before_it_their_verdicts(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sanction whose authority is the policy's only once folded escaped the policy until
    the rule (`later_rules.SECOND_RULES_FROM`): one recorded before it stays applied, live
    and rebuilt, while one recorded after is refused both ways."""
    settings = Settings(database_url=database_url)
    log = EmbeddedEventLog(pool, ingest_batch)
    registry = registry_setup.consumer(settings, registry_setup.policies(settings))
    # 36 months, beyond the policy's 2–18 for a serious case, written otherwise.
    spelled: dict[str, Any] = {"authority": "City Procurement Office", "duration_months": 36}
    monkeypatch.setattr(later_rules, "SECOND_RULES_FROM", dt.datetime.now(dt.UTC) + _DAY)
    before = case_b.suspended(**spelled)
    await log.submit([case_b.line(e) for e in (case_b.registered(), before)])
    await drain(pool, registry)
    recorded = await pool.fetchval("SELECT max(recorded_at) FROM event_store")
    monkeypatch.setattr(later_rules, "SECOND_RULES_FROM", recorded + dt.timedelta(microseconds=1))
    after = case_b.suspended(sanction_id="city-2022-002", **spelled)
    await log.submit([case_b.line(after)])
    await drain(pool, registry)
    said = await pool.fetchval(
        "SELECT reason FROM dead_letters WHERE event_id = $1", after["event_id"]
    )
    assert said is not None and "write it as its policy does: 'City procurement office'" in said
    live = {str(r["event_id"]): r["refused"] for r in await pool.fetch(_VERDICTS)}
    assert (live[before["event_id"]], live[after["event_id"]]) == (False, True)

    # Alone (refused were any verdict to change), then with every projection.
    await rebuilding.rebuild(settings, ["registry"], force=True)
    await rebuilding.rebuild(settings, list(rebuilding.PROJECTIONS), force=True)
    assert {str(r["event_id"]): r["refused"] for r in await pool.fetch(_VERDICTS)} == live
    sanctions = await pool.fetch("SELECT sanction_id, authority FROM registry_sanctions")
    assert [tuple(r) for r in sanctions] == [("city-2022-001", "City Procurement Office")]
