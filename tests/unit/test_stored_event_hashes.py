"""Events stored by earlier versions are written as they were stored, so their content hashes
(and the chains over them) still match: `vendorwatch verify` and ingest's comparison of a
resent event write a stored event again from its parsed form. A model in an event that gains
a field with a default must write it only when given (`events.base.LaterFields`), or every
event stored before reads as edited.

`tests/data/events/as_stored.jsonl` holds an event of each type as the store holds it, with
the optional models inside events filled in (an envelope's `recorded_by` among them), and the
import report as stored before its later fields and while each was written whatever its
value, and a risk announcement before and since it said its day; a change that writes any of
them otherwise fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

from services.events.catalog import EVENT_TYPES, parse_stored
from services.platform.eventstore.event_store import canonical_json

AS_STORED = Path(__file__).resolve().parents[1] / "data" / "events" / "as_stored.jsonl"


def _stored() -> list[str]:
    return AS_STORED.read_text(encoding="utf-8").splitlines()


def test_every_stored_event_is_written_again_as_it_was_stored() -> None:
    changed = [text for text in _stored() if canonical_json(parse_stored(text)) != text]
    assert not changed, (
        "stored events would be written otherwise, and their chains read as edited: write a"
        " new field only when given (events.base.LaterFields)",
        changed,
    )


def test_every_event_type_has_an_event_as_stored() -> None:
    # A new type's first events are written as it writes them now: add one (its
    # canonical_json) to the file, so that later changes to it are caught.
    assert {parse_stored(text).event_type for text in _stored()} == set(EVENT_TYPES)


def test_a_later_field_is_written_when_it_says_something() -> None:
    # An import report that withheld lifts, counted some ended and named a body's whole list:
    # all written, and read back as written.
    report = next(text for text in _stored() if '"event_type":"import.reported"' in text)
    event = parse_stored(report)
    told = event.model_copy(
        update={
            "payload": event.payload.model_copy(
                update={
                    "sanctions_withheld": 2,
                    "sanctions_ended": 3,
                    "whole_list_of": ["北浜市水道局"],
                }
            )
        }
    )
    text = canonical_json(told)
    payload = json.loads(text)["payload"]
    assert (payload["sanctions_withheld"], payload["sanctions_ended"]) == (2, 3)
    assert payload["whole_list_of"] == ["北浜市水道局"]
    assert canonical_json(parse_stored(text)) == text
