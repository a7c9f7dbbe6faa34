"""The characters a new event's free texts may hold (pure): the quick look at a printable
text answers as the look at each character does, and every field of every catalog event that
may hold a text is looked at."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from services.events.catalog import parse_event
from services.events.text_characters import ONE_LINE, SEVERAL_LINES, _judged, text_problem
from services.events.text_fields import text_check
from tests.support.event_examples import VALID_PAYLOADS, envelope

# Letters, spaces, invisible and control characters, the ignorable ones Python prints.
_MIXED = st.text(
    st.sampled_from(
        "aZ 0\t\n\r\x1b\x85\u00a0\u00ad\u034f\u115f\u200b\u200c\u200d\u202e\u2028\u3000"
        "\u3164\ufe0f\ufeff\U000e0101株式会社ア"
    )
)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(_MIXED, st.text()))
def test_the_quick_look_answers_as_each_character_does(text: str) -> None:
    for form in (ONE_LINE, SEVERAL_LINES):
        assert text_problem(text, form) == _judged(text, form), (text, form)


def test_a_printable_text_of_ignorable_characters_alone_is_blank() -> None:
    # The Hangul filler and a variation selector print as nothing, yet are printable to Python.
    for text in ("\u3164", "\u3164 \ufe0f", " \u115f"):
        problem = text_problem(text, ONE_LINE)
        assert problem is not None and problem.code == "string_too_short", text


def test_every_text_field_of_every_input_event_is_looked_at() -> None:
    # A field left out of the walk (to look at fewer) would let a bidi override through.
    looked_at = 0
    for event_type, payload in VALID_PAYLOADS.items():
        raw = envelope(event_type, payload)
        texts = [
            (path, value)
            for path, value in _strings(raw["payload"], "payload")
            if value and not path.endswith(("_on", "_at", "currency", "country"))
        ]
        for path, value in texts:
            forged = json.loads(json.dumps(raw))
            _put(forged["payload"], path.split(".")[1:], value + "\u202e")
            try:
                event = parse_event(json.dumps(forged))
            except Exception:  # the contract refuses it first (an enumeration, an id's form)
                continue
            problem = text_check(event)
            assert problem is not None and problem.code == "format_character", (event_type, path)
            looked_at += 1
    assert looked_at >= 50  # names, titles, reasons, notes, identifiers' values, …


def _strings(value: object, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in _strings(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [s for n, item in enumerate(value) for s in _strings(item, f"{path}.{n}")]
    return []


def _put(value: object, steps: list[str], new: str) -> None:
    *within, last = steps
    for step in within:
        value = value[int(step)] if isinstance(value, list) else value[step]  # type: ignore[index]
    if isinstance(value, list):
        value[int(last)] = new
    else:
        value[last] = new  # type: ignore[index]
