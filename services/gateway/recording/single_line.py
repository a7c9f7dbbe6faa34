"""The API's check of the free-text fields that are one line of text by nature (names, titles,
agencies, categories, authorities, issuers): a control character in one ("evil\\r\\nX-Injected:
1") is refused at the receipt, naming the field, with code `control_character`. They are shown
in headers, CSV rows, logs and the console's lists, where a line break or an escape makes the
value say what was never recorded (a security tester's finding). Reasons, notes and scopes
are free text of several lines, and stay so.

One of `RequestContext.checks`, and not a rule of the event models: the stored events must
keep being read as they were (a rebuild, a producer's event judged by the registry), so the
contract stays as it was and only what the API records from now on is held to this.
"""

from __future__ import annotations

import unicodedata

from services.events.alerts import WatchlistSaved
from services.events.base import EventEnvelope, Payload
from services.events.catalog import Problem
from services.events.compliance import CertificateSubmitted
from services.events.contract import ContractAwarded
from services.events.migration import MigrationPlanRequested
from services.events.sanction import SanctionAmended, SanctionImposed
from services.events.vendor import VendorRegistered, VendorRenamed, VendorUpdated

# Payload type → its single-line free-text fields (a text, or a list of them, or null).
SINGLE_LINE: dict[type[Payload], tuple[str, ...]] = {
    WatchlistSaved: ("name", "agency"),
    SanctionImposed: ("authority", "agencies", "categories"),
    SanctionAmended: ("agencies", "categories"),
    VendorRegistered: ("legal_name", "name_kana", "name_en", "aliases"),
    VendorUpdated: ("legal_name", "name_kana", "name_en", "aliases"),
    VendorRenamed: ("new_legal_name", "new_name_kana", "new_name_en"),
    ContractAwarded: ("agency", "title", "category"),
    CertificateSubmitted: ("issued_by",),
    MigrationPlanRequested: ("agency",),
}
# Control characters (CR, LF, tab, ESC, DEL, C1…) and the line and paragraph separators.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def single_line_check(event: EventEnvelope) -> Problem | None:
    """The first single-line field of the event's payload holding a control character, if
    any; any other event passes."""
    for field in SINGLE_LINE.get(type(event.payload), ()):
        value: str | list[str] | None = getattr(event.payload, field)
        texts = [(f"payload.{field}", value)] if isinstance(value, str) else []
        if isinstance(value, list):
            texts = [(f"payload.{field}.{n}", text) for n, text in enumerate(value)]
        for path, text in texts:
            if (found := _breaking(text)) is not None:
                return Problem(
                    path,
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
