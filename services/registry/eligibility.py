"""Bid eligibility: pure rules over a vendor's sanctions, for one date, agency and category."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.sanction import SanctionKind
from services.registry.periods import ONE_DAY

# Kinds that bar a vendor from bidding; a warning is recorded but bars nothing.
BARRING_KINDS = frozenset({SanctionKind.BID_SUSPENSION, SanctionKind.DEBARMENT})


@dataclass(frozen=True)
class Sanction:
    sanction_id: str
    vendor_id: str
    kind: SanctionKind
    authority: str
    starts_on: dt.date
    last_day: dt.date | None  # None: indefinite
    agencies: tuple[str, ...] | None  # None: every agency
    categories: tuple[str, ...] | None  # None: every procurement category

    def in_force_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.last_day is None or day <= self.last_day)

    def covers(self, agency: str | None, category: str | None) -> bool:
        """Whether the scope reaches this procurement. An unnamed agency or category is
        treated as covered: the registry must never answer "eligible" wrongly."""
        agency_ok = self.agencies is None or agency is None or agency in self.agencies
        category_ok = self.categories is None or category is None or category in self.categories
        return agency_ok and category_ok


@dataclass(frozen=True)
class Eligibility:
    vendor_id: str
    as_of: dt.date
    eligible: bool
    reasons: tuple[Sanction, ...]
    eligible_again_on: dt.date | None  # None when ineligible indefinitely, or eligible


def evaluate(
    vendor_id: str,
    sanctions: Sequence[Sanction],
    as_of: dt.date,
    *,
    agency: str | None = None,
    category: str | None = None,
) -> Eligibility:
    barring = [s for s in sanctions if s.kind in BARRING_KINDS and s.covers(agency, category)]
    reasons = tuple(s for s in barring if s.in_force_on(as_of))
    if not reasons:
        return Eligibility(vendor_id, as_of, True, (), None)
    return Eligibility(vendor_id, as_of, False, reasons, _first_free_day(barring, as_of))


def _first_free_day(barring: Sequence[Sanction], day: dt.date) -> dt.date | None:
    """The first day from `day` on that no barring sanction covers; back-to-back and
    overlapping sanctions are bridged. None when an indefinite one stands in the way."""
    while True:
        active = [s for s in barring if s.in_force_on(day)]
        if not active:
            return day
        ends = [s.last_day for s in active]
        if any(end is None for end in ends):
            return None
        day = max(end for end in ends if end is not None) + ONE_DAY
