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


def find(value: Any, path: str = "") -> list[Problem]:
    """Every field (key or value, at its dotted path) holding a lone surrogate, in the input's
    order: a receipt lists every problem it can find, so a form shows them all at once (it
    told the first only, `payload.legalName` and not `payload.aliases.1` beside it). A key
    holding one is named, not what it holds: no path could name that."""
    if isinstance(value, str):
        return [Problem(path or "event", MESSAGE, CODE)] if _has_one(value) else []
    problems: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _has_one(str(key)):
                problems.append(Problem(printable(where), f"the field's name {MESSAGE}", CODE))
            else:
                problems += find(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += find(item, f"{path}.{index}" if path else str(index))
    return problems
