"""Input text that cannot be stored: JSON can spell half of a UTF-16 pair ("\ud800"), Python
reads it into a string, but UTF-8 (the log's encoding, and the response's) cannot hold it.
Such input is the client's mistake; the field that has it is named, like any other."""

from __future__ import annotations

from typing import Any

from services.events.catalog import Problem

MESSAGE = "contains a lone UTF-16 surrogate (such as \\ud800), which is not a character"
CODE = "lone_surrogate"


def _has_one(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def printable(text: str) -> str:
    """`text` with each lone surrogate replaced, to be echoed back safely."""
    return text.encode(errors="replace").decode() if _has_one(text) else text


def find(value: Any, path: str = "") -> Problem | None:
    """The first field (key or value, at its dotted path) holding a lone surrogate, if any."""
    if isinstance(value, str):
        return Problem(path or "event", MESSAGE, CODE) if _has_one(value) else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _has_one(str(key)):
                return Problem(printable(where), f"the field's name {MESSAGE}", CODE)
            items.append((where, item))
    elif isinstance(value, list):
        items = [(f"{path}.{index}" if path else str(index), i) for index, i in enumerate(value)]
    for where, item in items:
        problem = find(item, where)
        if problem is not None:
            return problem
    return None
