"""Counts in the commands' messages, in the number they are: "1 event", "2 events"."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, with an `s` unless the count is one (every noun counted so far
    takes one)."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
