"""What the registry's fields share about their arguments: the descriptions of the day, moment,
agency and category a judgement is asked for, and the day and moment they default to."""

from __future__ import annotations

import datetime as dt

from services.platform.graphql.context import Info
from services.platform.graphql.scope_names import scope_argument

AS_OF = (
    "The day asked about (a calendar day, no time zone); default: today in the registry's"
    " time zone."
)
# The DateTime scalar refuses a moment without its UTC offset (gateway/scalars.py): read in
# a zone, it answered hours off what a client in another meant, silently.
KNOWN_AT = (
    "Answer as the registry stood at this moment (what had been recorded by then); default:"
    " now. A vendor registered later was not on record then: it is answered as one nobody"
    " registered, the refusal saying when it was recorded (`UNKNOWN` in `screenBidders`)."
    " Sanctions, their changes, affiliations, review decisions and replaced identifiers"
    " recorded later are left out; a vendor's names and the identifiers it holds are as held"
    " now. Give its UTC offset (2026-12-05T07:45:00Z, 2026-12-05T16:45:00+09:00): a moment"
    " without one is refused, never read in a time zone."
)
AGENCY = "Judge for this agency: sanctions restricted to other agencies do not count; null: any."
CATEGORY = (
    "Judge for this procurement category: sanctions restricted to other categories do not"
    " count; null: any."
)


def judged_for(agency: str | None, category: str | None) -> tuple[str | None, str | None]:
    """The agency and category as every read takes them (`scope_names.scope_argument`:
    trimmed, a blank one refused)."""
    return scope_argument("agency", agency), scope_argument("category", category)


def today(info: Info) -> dt.date:
    return info.context.settings.clock.today()
