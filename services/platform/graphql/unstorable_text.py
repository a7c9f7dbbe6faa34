"""Text no column can hold, found anywhere in an argument's value: a NUL (PostgreSQL's text
cannot hold one, and asyncpg raises on it as on a fault) or a lone UTF-16 surrogate (JSON can
spell half of a pair, UTF-8 cannot encode it). No stored value has either, so a read asked with
one can only be the client's mistake; found before the read, it is refused naming where it is,
instead of reaching the database as an internal error (gateway/execution/read_arguments.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.platform.graphql import lone_surrogates

NUL = "contains a NUL character (\\u0000), which no text can hold"


def why(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return NUL
    try:
        text.encode()
    except UnicodeEncodeError:
        return lone_surrogates.MESSAGE
    return None


def find(value: Any) -> tuple[str, str] | None:
    """The first such text in `value` (a variable's value: text, lists and input objects of
    them, keys included) as (its dotted place in the value, empty for the value itself; why),
    or None."""
    if isinstance(value, str):
        reason = why(value)
        return ("", reason) if reason is not None else None
    if isinstance(value, list):
        if _all_storable_texts(value):  # 5,000 ids: one check of them joined, not 5,000
            return None
        items: list[tuple[str, Any]] = [(str(index), item) for index, item in enumerate(value)]
    elif isinstance(value, Mapping):
        items = [(str(key), item) for key, item in value.items()]
        for key in value:
            if isinstance(key, str) and (reason := why(key)) is not None:
                return lone_surrogates.printable(key), f"the field's name {reason}"
    else:
        return None
    for place, item in items:
        found = find(item)
        if found is not None:
            inner, reason = found
            return f"{place}.{inner}" if inner else place, reason
    return None


def _all_storable_texts(items: list[Any]) -> bool:
    try:
        joined = "".join(items)
    except TypeError:  # not all texts: item by item
        return False
    return why(joined) is None
