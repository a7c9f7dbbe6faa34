"""Whole numbers as clients write them (cursors, ids), checked against what PostgreSQL's integer
columns hold: one out of range would fail in PostgreSQL, as an internal error rather than the
client's mistake."""

from __future__ import annotations

INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


def is_count(text: str, maximum: int = BIGINT_MAX) -> bool:
    """Whether `text` is a whole number in ASCII digits (`str.isdigit` also takes "²" and other
    scripts' digits, which `int` then refuses) of at most `maximum`."""
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= maximum
