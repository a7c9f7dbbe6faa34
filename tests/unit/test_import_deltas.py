"""A list's newer file against what earlier imports recorded (pure)."""

from __future__ import annotations

import datetime as dt

from services.imports.deltas import Delta, RecordedSanction, delta, gone

END = dt.date(2027, 8, 9)
RECORDED = {
    "wb:a": RecordedSanction("v-a", END, lifted=False, authority="World Bank"),
    "wb:b": RecordedSanction("v-b", None, lifted=False, authority="World Bank"),
    "wb:c": RecordedSanction("v-c", END, lifted=True, authority="World Bank"),
    "wb:d": RecordedSanction("v-d", END, lifted=False, authority="IDB"),
}
FILES = {"World Bank"}  # whose sanctions the file lists


def test_a_row_is_imposed_amended_or_kept() -> None:
    assert delta("wb:new", END, RECORDED) is Delta.IMPOSE
    assert delta("wb:a", END, RECORDED) is Delta.KEEP
    assert delta("wb:a", dt.date(2028, 1, 31), RECORDED) is Delta.AMEND
    assert delta("wb:a", None, RECORDED) is Delta.AMEND  # now until further notice
    assert delta("wb:b", END, RECORDED) is Delta.AMEND  # now with an end
    assert delta("wb:c", dt.date(2030, 1, 1), RECORDED) is Delta.KEEP  # lifted stays lifted


def test_what_the_file_no_longer_lists_is_lifted_once() -> None:
    assert [sid for sid, _ in gone(RECORDED, ["wb:b", "wb:d"])] == ["wb:a"]  # wb:c lifted before
    assert list(gone(RECORDED, ["wb:a", "wb:b", "wb:d"])) == []


def test_a_file_speaking_for_its_bodies_lifts_only_theirs() -> None:
    # wb:d is another body's: not the file's to lift.
    assert [sid for sid, _ in gone(RECORDED, ["wb:b"], FILES)] == ["wb:a"]
    assert [sid for sid, _ in gone(RECORDED, ["wb:a", "wb:b"], {*FILES, "IDB"})] == ["wb:d"]
