"""The contract's checks of a text, said in words a person can mend the input by.

pydantic says a text's constraints as they are written ("String should match pattern
'^[A-Z]{2}$'", "String should have at least 1 character" of a name of three spaces), which
tells a form's user nothing they can act on. Every event's problems pass through
`in_words` (catalog.py), so the words are chosen here once, by the error's type and the
field's constraint, not field by field: a pattern is given its words where it is declared
(`worded`), beside the field types that use it."""

from __future__ import annotations

from pydantic_core import ErrorDetails

# Each pattern a field type declares, with what it allows in words.
_PATTERN_WORDS: dict[str, str] = {}


def worded(pattern: str, words: str) -> str:
    """`pattern`, remembered with `words` (what it allows, as a request: "give …"), which a
    value that does not match it is told instead of the pattern."""
    _PATTERN_WORDS[pattern] = words
    return pattern


def in_words(item: ErrorDetails) -> str:
    """What is wrong with a value, for the person who gave it."""
    kind, given, context = item["type"], item.get("input"), item.get("ctx") or {}
    if kind == "string_too_short" and isinstance(given, str) and context.get("min_length") == 1:
        # The text is checked with its surrounding spaces stripped: "   " has 3 characters.
        return "must not be blank" + (" (it has only spaces)" if given else "")
    if kind == "string_too_long" and isinstance(given, str):
        return f"give at most {context['max_length']:,} characters; it has {len(given):,}"
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(str(context.get("pattern")))
        if words is not None:
            return words
    return item["msg"].removeprefix("Value error, ")
