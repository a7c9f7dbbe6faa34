"""Words in messages: counts in the number they are ("1 event", "2 events"), what a user
typed quoted as typed, and what a client sent quoted back cut short."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence


def plural(count: int, noun: str, *, grouped: bool = False) -> str:
    """`count` and `noun`, with an `s` unless the count is one (every noun counted so far
    takes one); `grouped`: the count's thousands separated by commas (1,285)."""
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {noun}" if count == 1 else f"{number} {noun}s"


# An escape `repr` writes for a character it deems unprintable; an escaped backslash first,
# so that a backslash the text holds is never read as the start of an escape.
_ESCAPE = re.compile(r"(\\\\)|\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def quoted(text: str) -> str:
    """`text` in quotes as `repr` writes it, but with its spaces as typed: `repr` writes a
    space other than ASCII's (the ideographic space U+3000, a no-break space) as an escape,
    `'City\\u3000procurement\\u3000office'`, which is not what the reader typed. Whatever
    else `repr` escapes stays escaped: a control character would break the message's line,
    and an invisible one (a zero-width space) is best seen as its code."""

    def shown(escape: re.Match[str]) -> str:
        if escape.group(1) is not None:
            return escape.group(1)
        character = chr(int(escape.group(2)[1:], 16))
        return character if unicodedata.category(character) == "Zs" else escape.group(0)

    return _ESCAPE.sub(shown, repr(text))


# How much of what a client sent a message quotes back: enough to recognise it.
ECHOED_CHARS = 80


def echoed(value: str) -> str:
    """`value` quoted for a message telling the client what it sent, cut at ECHOED_CHARS
    characters with an ellipsis: a 100 KB cursor or id is neither sent back nor logged whole
    (the API logs each client error with its message)."""
    return quoted(value if len(value) <= ECHOED_CHARS else f"{value[:ECHOED_CHARS]}…")


# How many unknown ids a refusal names; the rest are counted.
NAMED_UNKNOWN = 20


def unknown_ids(argument: str, noun: str, unknown: Sequence[str]) -> str:
    """The refusal of the ids in `argument` that name no `noun`: named up to a screenful
    (5,000 unknown ids made a message of 54,000 characters), the rest counted."""
    named = ", ".join(map(repr, unknown[:NAMED_UNKNOWN]))
    more = len(unknown) - NAMED_UNKNOWN
    return f"{argument}: unknown {noun if len(unknown) == 1 else noun + 's'} {named}" + (
        f" and {more} more ({len(unknown)} in all)" if more > 0 else ""
    )
