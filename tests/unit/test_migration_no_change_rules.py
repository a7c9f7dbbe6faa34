"""An item's properties or a plan's settings given as they are change nothing: the partial
change, applied as migration applies it, leaves them as they are (pure: no_change)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.contract import Criticality
from services.events.migration import MigrationItemConfigured, MigrationPlanConfigured
from services.migration.domain.items import ItemState
from services.migration.domain.no_change import same_properties, same_settings
from services.migration.planning.model import PlanSettings

ITEM = ItemState(
    "c05",
    "税務ポータル",
    Criticality.RESIDENT_FACING,
    dt.date(2023, 1, 31),
    depends_on=("c04",),
    deadline_on=dt.date(2023, 6, 30),
)


def item(**fields: Any) -> MigrationItemConfigured:
    return MigrationItemConfigured.model_validate({"plan_id": "p", "contract_id": "c05", **fields})


def test_an_item_given_as_it_is() -> None:
    assert same_properties(ITEM, item(depends_on=["c04"])) == "c05's depends_on is so already"
    # A null given keeps what is only ever replaced: nothing changes.
    assert same_properties(ITEM, item(criticality=None, lead_time_months=0)) is not None
    # A null given clears a date: the deadline the item has goes.
    assert same_properties(ITEM, item(deadline_on=None)) is None
    assert same_properties(ITEM, item(earliest_on=None)) is not None
    # Other dependencies, or the same in another order, are another list.
    assert same_properties(ITEM, item(depends_on=[])) is None
    two = ItemState(
        "c05", "t", Criticality.INTERNAL, dt.date(2023, 1, 31), depends_on=("c03", "c04")
    )
    assert same_properties(two, item(depends_on=["c04", "c03"])) is None


SETTINGS = PlanSettings(starts_on=dt.date(2022, 7, 1), capacity=2)


def plan(**fields: Any) -> MigrationPlanConfigured:
    return MigrationPlanConfigured.model_validate({"plan_id": "p", **fields})


def test_settings_given_as_they_are() -> None:
    said = same_settings("p", SETTINGS, plan(capacity=2, deadline_on=None))
    assert said == "plan p's capacity, deadline_on are so already"
    assert same_settings("p", SETTINGS, plan(capacity=None)) is not None
    assert same_settings("p", SETTINGS, plan(time_limit_seconds=10)) is not None
    assert same_settings("p", SETTINGS, plan(capacity=3)) is None
    assert same_settings("p", SETTINGS, plan(deadline_on="2023-12-31")) is None
