"""Timelines kept between screens: a kept one is used only for the very rows it was built
from; a change, another recording (another database) or another sanction is built anew."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from services.events.sanction import SanctionAmended, SanctionImposed
from services.registry.reads.timeline_cache import TimelineCache
from services.registry.storage.sanction_repository import change_row, sanction_row

IMPOSED = uuid.UUID(int=1)
RECORDED = dt.datetime(2022, 7, 8, 9, tzinfo=dt.UTC)


def _row(recorded_at: dt.datetime = RECORDED, *changes: dict[str, Any]) -> dict[str, Any]:
    """A sanction row as `sanction_repository.sanction_rows` reads it (its changes inside)."""
    imposed = SanctionImposed.model_validate_json(
        json.dumps(
            {
                "sanction_id": "s-1",
                "kind": "bid_suspension",
                "authority": "City",
                "decided_on": "2022-07-08",
                "starts_on": "2022-07-09",
                "duration_months": 18,
                "grounds": ["breach_of_contract"],
            }
        )
    )
    row = sanction_row("vendor-b", imposed, IMPOSED)
    return {**row, "recorded_at": recorded_at, "changes": list(changes)}


def _extension(event: int) -> dict[str, Any]:
    amendment = SanctionAmended.model_validate_json(
        json.dumps(
            {
                "sanction_id": "s-1",
                "effective_on": "2023-01-01",
                "duration_months": 24,
                "reason": "Extended.",
            }
        )
    )
    return change_row("s-1", dt.date(2023, 1, 1), "Extended.", uuid.UUID(int=event), amendment)


def test_the_same_rows_give_the_kept_timeline() -> None:
    cache = TimelineCache()
    first = cache.timeline(_row())
    assert cache.timeline(_row()) is first
    assert first.terms[-1].last_day == dt.date(2024, 1, 8)


def test_a_known_change_gives_its_own_timeline_and_the_old_one_stays_for_knownat() -> None:
    cache = TimelineCache()
    before = cache.timeline(_row())
    after = cache.timeline(_row(RECORDED, _extension(2)))
    assert after.terms[-1].last_day == dt.date(2024, 7, 8)
    assert cache.timeline(_row()) is before  # as known before the amendment
    assert before.terms[-1].last_day == dt.date(2024, 1, 8)


def test_rows_recorded_elsewhere_are_not_taken_for_each_other() -> None:
    # Two databases in one process may hold events with the same ids and other content.
    cache = TimelineCache()
    here = cache.timeline(_row())
    elsewhere = {**_row(RECORDED + dt.timedelta(seconds=1)), "duration_months": 6}
    assert cache.timeline(elsewhere) is not here
    assert cache.timeline(elsewhere).terms[0].last_day == dt.date(2023, 1, 8)


def test_a_full_cache_starts_again_and_still_answers() -> None:
    cache = TimelineCache(limit=1)
    first = cache.timeline(_row())
    cache.timeline(_row(RECORDED, _extension(2)))
    again = cache.timeline(_row())
    assert again is not first and again == first
