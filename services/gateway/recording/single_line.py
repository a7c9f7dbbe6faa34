"""The API's check of the free-text fields that are one line of text by nature (a watchlist's
name, a sanction's authority): a control character in one ("evil\\r\\nX-Injected: 1") is
refused at the receipt, naming the field, with code `control_character`. They are shown in
headers, CSV rows, logs and the console's lists, where a line break or an escape makes the
value say what was never recorded (a security tester's finding).

One of `RequestContext.checks`, and not a rule of the event models: the stored events must
keep being read as they were (a rebuild, a producer's event judged by the registry), so the
contract stays as it was and only what the API records from now on is held to this.
"""

from __future__ import annotations

import unicodedata

from services.events.alerts import WatchlistSaved
from services.events.base import EventEnvelope, Payload
from services.events.catalog import Problem
from services.events.sanction import SanctionImposed

# Payload type → its single-line free-text fields.
SINGLE_LINE: dict[type[Payload], tuple[str, ...]] = {
    WatchlistSaved: ("name",),
    SanctionImposed: ("authority",),
}
# Control characters (CR, LF, tab, ESC, DEL, C1…) and the line and paragraph separators.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def single_line_check(event: EventEnvelope) -> Problem | None:
    """The first single-line field of the event's payload holding a control character, if
    any; any other event passes."""
    for field in SINGLE_LINE.get(type(event.payload), ()):
        text: str = getattr(event.payload, field)
        if (found := _breaking(text)) is not None:
            return Problem(
                f"payload.{field}",
                f"must be one line of text without control characters; it has {found}",
                "control_character",
            )
    return None


def _breaking(text: str) -> str | None:
    """The first control character or line separator in `text`, as U+XXXX, if any."""
    for character in text:
        if unicodedata.category(character) in _BREAKING:
            return f"U+{ord(character):04X}"
    return None
