"""Words in messages: counts, in the number they are ("1 event", "2 events"), and what a
client sent, quoted back."""

from __future__ import annotations


def plural(count: int, noun: str, *, grouped: bool = False) -> str:
    """`count` and `noun`, with an `s` unless the count is one (every noun counted so far
    takes one); `grouped`: the count's thousands separated by commas (1,285)."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {noun}" if count == 1 else f"{number} {noun}s"


# How much of what a client sent a message quotes back: enough to recognise it.
ECHOED_CHARS = 80


def echoed(value: str) -> str:
    """`value` quoted for a message telling the client what it sent, cut at ECHOED_CHARS
    characters with an ellipsis: a 100 KB cursor or id is neither sent back nor logged whole
    (the API logs each client error with its message)."""
    return repr(value if len(value) <= ECHOED_CHARS else f"{value[:ECHOED_CHARS]}…")
