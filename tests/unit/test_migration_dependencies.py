"""Cycles of item dependencies (pure): the one a change closes through its item, which the
receipt and migration refuse, and the planner's, which it names for want of a schedule."""

from __future__ import annotations

import datetime as dt

from services.events.contract import Criticality
from services.events.migration import MigrationItemConfigured, MigrationItemStatus
from services.migration.domain.dependencies import cycle_through, first_cycle
from services.migration.domain.item_changes import item_change_problems
from services.migration.domain.items import ItemState


def item(cid: str, *depends_on: str, done: bool = False) -> ItemState:
    status = MigrationItemStatus.DONE if done else MigrationItemStatus.PLANNED
    return ItemState(
        cid, cid, Criticality.INTERNAL, dt.date(2027, 3, 31), depends_on=depends_on, status=status
    )


def test_a_cycle_through_the_start_is_found_and_one_it_only_leads_into_is_not() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["b"], "d": ["a"]}
    assert cycle_through("a", graph) == ()  # b ↔ c is not a's
    assert cycle_through("b", graph) == ("b", "c", "b")
    assert first_cycle(graph) == ("b", "c", "b")
    assert cycle_through("a", {**graph, "c": ["a"]}) == ("a", "b", "c", "a")
    assert first_cycle({"a": ["b"], "b": ["x"]}) == ()  # x: not an item still to plan


def change(cid: str, *depends_on: str) -> MigrationItemConfigured:
    return MigrationItemConfigured(plan_id="p", contract_id=cid, depends_on=list(depends_on))


def test_a_change_closing_a_cycle_is_refused_unless_through_a_done_item() -> None:
    items = {c.contract_id: c for c in (item("a"), item("b", "a"), item("c", "b"))}
    [problem] = item_change_problems(items["a"], "p", items, change("a", "c"))
    assert (problem.field, problem.code) == ("depends_on", "dependency_cycle")
    assert "a → c → b → a" in problem.message
    # Migration judges it only for events recorded from the rules of 2026-12-06 on.
    assert item_change_problems(items["a"], "p", items, change("a", "c"), cycles=False) == []
    # A done item's dependencies are history: the planner follows none through it.
    finished = {**items, "b": item("b", "a", done=True)}
    assert item_change_problems(items["a"], "p", finished, change("a", "c")) == []
