"""A rename is judged against the vendor's names on record (pure: rename_rules): one
effective before its latest rename, or one that changes nothing, is refused by the registry
from `FOURTH_RULES_FROM` on and by the receipt whenever asked; an update keeps the names it
replaces or clears matching."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.catalog import Problem, parse_event
from services.events.vendor import ClearableVendorField, VendorRenamed, VendorUpdated
from services.platform.eventstore.later_rules import FOURTH_RULES_FROM
from services.registry.domain.rename_rules import (
    NamesOnRecord,
    rename_problem,
    rename_refusal,
    replaced_names,
)
from tests.support import case_b
from tests.support.event_examples import envelope

RENAMED = NamesOnRecord(
    "Totally New Name Corp", None, None, dt.date(2024, 5, 1), "Totally New Name Corp"
)
AFTER = FOURTH_RULES_FROM
BEFORE = FOURTH_RULES_FROM - dt.timedelta(microseconds=1)
BACKDATED = (
    "payload.effective_on: 2024-01-01 is before vendor 'ch-3' was last renamed, to"
    " 'Totally New Name Corp' from 2024-05-01; renames are recorded in the order they took"
    " effect (a name used in between may be added as an alias, which keeps it matching)"
)
UNCHANGED = (
    "payload: vendor 'ch-3' has these names already (legal name 'Totally New Name Corp');"
    " the rename would change nothing"
)


def rename(name: str, on: str, **names: Any) -> VendorRenamed:
    return VendorRenamed(new_legal_name=name, effective_on=dt.date.fromisoformat(on), **names)


def test_a_rename_effective_before_the_latest_one_is_refused_naming_it() -> None:
    backdated = rename("Third Name", "2024-01-01")
    assert rename_refusal("ch-3", backdated, RENAMED, AFTER) == ("before_last_rename", BACKDATED)
    # On the day of the latest one or after: taken (a same-day rename corrects that one).
    for day in ("2024-05-01", "2024-05-02"):
        assert rename_refusal("ch-3", rename("Third Name", day), RENAMED, AFTER) is None
    # A vendor never renamed: any day.
    never = NamesOnRecord("Old K.K.", None, None)
    assert rename_refusal("ch-3", rename("Third Name", "1990-01-01"), never, AFTER) is None


def test_a_rename_that_changes_nothing_is_refused() -> None:
    again = rename("Totally New Name Corp", "2024-05-02")
    assert rename_refusal("ch-3", again, RENAMED, AFTER) == ("no_change", UNCHANGED)
    read = NamesOnRecord("B K.K.", "ビー", "B Co.", dt.date(2024, 5, 1), "B K.K.")
    same = rename("B K.K.", "2024-06-01", new_name_kana="ビー", new_name_en="B Co.")
    assert rename_refusal("ch-3", same, read, AFTER) is not None
    # The legal name kept, a new reading: a change.
    reading = rename("B K.K.", "2024-06-01", new_name_kana="ビーケー")
    assert rename_refusal("ch-3", reading, read, AFTER) is None
    # Another case is another legal name.
    assert rename_refusal("ch-3", rename("B k.k.", "2024-06-01"), read, AFTER) is None


def test_the_registry_judges_from_the_rule_s_instant_the_receipt_whenever_asked() -> None:
    backdated, again = (
        rename("Third Name", "2024-01-01"),
        rename("Totally New Name Corp", "2024-06-01"),
    )
    for payload in (backdated, again):
        assert rename_refusal("ch-3", payload, RENAMED, BEFORE) is None
        assert rename_refusal("ch-3", payload, RENAMED, BEFORE, receipt=True) is not None
    event = parse_event(
        case_b.line(envelope("vendor.renamed", backdated.model_dump(mode="json"), "ch-3"))
    )
    said = BACKDATED.removeprefix("payload.effective_on: ")
    expected = Problem("payload.effective_on", said, "before_last_rename")
    assert rename_problem(event, RENAMED, BEFORE) == expected
    # A vendor not on record passes: its registration may be in the log still unjudged.
    assert rename_problem(event, None, BEFORE) is None


def test_an_update_keeps_the_names_it_replaces_or_clears() -> None:
    held = NamesOnRecord("Third Name", "サード", "Third Co.")
    update = VendorUpdated(legal_name="Updated via update", clear=[ClearableVendorField.NAME_EN])
    assert replaced_names(held, update.changes()) == [
        ("legal", "Third Name"),
        ("english", "Third Co."),
    ]
    # Given as they are, or not given: nothing replaced.
    same = VendorUpdated(legal_name="Third Name", name_kana="サード", aliases=["T"])
    assert replaced_names(held, same.changes()) == []
    # A name the vendor did not have is no name to keep.
    assert replaced_names(NamesOnRecord("X", None, None), {"name_kana": "エックス"}) == []
