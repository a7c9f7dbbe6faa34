"""The receipt refuses a change for being the same as the record (`no_change`) or past it
(`after_end`) only once the registry has judged what the log holds of the vendor: an earlier
change still in the log, sent a moment before without waitForProcessing, moves the record
before the registry judges this one, and it then accepts it (`unsettled_refusals`). Real
PostgreSQL: the earlier change stored in the log and not yet applied, as a client's quick
second request finds it."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from services.events.base import EventEnvelope
from services.events.catalog import parse_event
from services.platform.consuming.consumer import apply_batch
from services.registry.handlers import registry_consumer
from services.registry.policy_loading import load_policies
from services.registry.reads.contract_changes import contract_check
from services.registry.reads.rename_changes import rename_check
from services.registry.reads.unsettled_refusals import settled_only
from tests.support import event_log
from tests.support.event_examples import envelope, example
from tests.support.registry import TOKYO, FixedClock

pytestmark = pytest.mark.postgres

VENDOR = "vendor-b"


def _event(event_type: str, **changes: Any) -> EventEnvelope:
    payload = example(event_type, **changes)
    return parse_event(json.dumps(envelope(event_type, payload, VENDOR), ensure_ascii=False))


async def _applied(pool: asyncpg.Pool, *events: EventEnvelope) -> None:
    await event_log.append(pool, list(events))
    await apply_batch(pool, registry_consumer(FixedClock(TOKYO), load_policies()), list(events))


async def test_a_termination_after_the_old_end_waits_for_an_extension_still_in_the_log(
    pool: asyncpg.Pool,
) -> None:
    await _applied(pool, _event("vendor.registered"), _event("contract.awarded"))
    extended = _event("contract.amended", ends_on="2026-09-30")
    await event_log.append(pool, [extended])  # sent, not judged yet
    terminated = _event("contract.terminated", terminated_on="2026-06-30")
    # Judged against the record alone, it is past the contract's end (2026-03-31).
    said = await contract_check(pool, terminated)
    assert said is not None and said.code == "after_end"
    assert await settled_only(contract_check, stored_on_submit=True)(pool, terminated) is None
    # Once the registry has judged the extension, the record says it: a day past the new end
    # is refused again, a day before it passes.
    await apply_batch(pool, registry_consumer(FixedClock(TOKYO), load_policies()), [extended])
    late = _event("contract.terminated", terminated_on="2026-10-30")
    refused = await settled_only(contract_check, stored_on_submit=True)(pool, late)
    assert refused is not None and refused.code == "after_end"
    assert await settled_only(contract_check, stored_on_submit=True)(pool, terminated) is None
    # The services' own announcements about the vendor, stored after its events, are not the
    # registry's to judge: they leave the refusal standing.
    await event_log.append(pool, [_event("risk.changed")])
    refused = await settled_only(contract_check, stored_on_submit=True)(pool, late)
    assert refused is not None and refused.code == "after_end"
    # Where the log may not hold what was sent before (Kafka), the registry judges it.
    assert await settled_only(contract_check, stored_on_submit=False)(pool, late) is None


async def test_a_rename_back_waits_for_the_rename_still_in_the_log(pool: asyncpg.Pool) -> None:
    registered = _event("vendor.registered")
    await _applied(pool, registered)
    names = {"new_legal_name": "株式会社ビーソリューションズ", "effective_on": "2023-04-01"}
    await event_log.append(pool, [_event("vendor.renamed", **names)])  # not judged yet
    back = _event(
        "vendor.renamed",
        new_legal_name="株式会社ビーシステム",
        new_name_kana="ビーシステム",
        new_name_en="B System Co., Ltd.",
        effective_on="2023-05-01",
    )
    said = await rename_check(pool, back)
    assert said is not None and said.code == "no_change"
    assert await settled_only(rename_check, stored_on_submit=True)(pool, back) is None


async def test_other_refusals_stand_whatever_the_log_holds(pool: asyncpg.Pool) -> None:
    ended = _event("contract.terminated", terminated_on="2025-03-31")
    await _applied(pool, _event("vendor.registered"), _event("contract.awarded"), ended)
    another = _event("contract.awarded", contract_id="c-2024-other")
    await event_log.append(pool, [another])  # not judged yet
    again = _event("contract.terminated", terminated_on="2025-06-30")
    for stored in (True, False):
        refused = await settled_only(contract_check, stored_on_submit=stored)(pool, again)
        assert refused is not None and refused.code == "terminated_already"
