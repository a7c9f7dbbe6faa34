"""A vendor recorded through the API is given at most MAX_ALIASES aliases: more is refused at
the receipt (`too_long`, at `payload.aliases`), as a list over pydantic's `max_length` is.

Each alias is a name that every screening by name (`screenBidders`) scores each bidder
against while the vendor may be barred, and that the answer lists with its score: one barred
vendor given 30,000 aliases (only the 1 MB event limit held them) slowed a 1,000-bidder screen
from 0.29 s to 3.5 s. The lists and registries a vendor comes from give a firm a handful.

One of the API's receipt checks (gateway/context.py), not a rule of the event models: stored
events are read as they were, so only what the API records from now on is held to it.
"""

from __future__ import annotations

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import VendorRegistered, VendorUpdated

MAX_ALIASES = 100


def alias_count_check(event: EventEnvelope) -> Problem | None:
    """A registration or update giving more than MAX_ALIASES aliases is refused at the field;
    any other event passes."""
    payload = event.payload
    if not isinstance(payload, VendorRegistered | VendorUpdated) or payload.aliases is None:
        return None
    given = len(payload.aliases)
    if given <= MAX_ALIASES:
        return None
    return Problem(
        "payload.aliases", f"at most {MAX_ALIASES} aliases may be given; {given:,} were", "too_long"
    )
