"""Counts in messages, in the number they are: "1 event", "2 events"."""

from __future__ import annotations


def plural(count: int, noun: str, *, grouped: bool = False) -> str:
    """`count` and `noun`, with an `s` unless the count is one (every noun counted so far
    takes one); `grouped`: the count's thousands separated by commas (1,285)."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {noun}" if count == 1 else f"{number} {noun}s"
