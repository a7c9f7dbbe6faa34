"""When a lift of a sanction changes nothing (pure): it takes effect after the sanction's last
day, every amendment counted, when the sanction no longer applied anyway.

Such a lift was applied, and then blocked every real lift of the sanction as `lifted_already`
(a lift dated 2028-11-01 of a sanction ending on 2027-06-04: the lift from 2027-01-01 was
refused, the vendor stayed barred, and its page said "lifted on 2028-11-01"). Both rules judge
the events recorded from `later_rules.FOURTH_RULES_FROM` on (imposition_rules.change_refusal):

- such a lift is refused (`no_change`), naming the sanction's last day, as an amendment from
  a lift on is ("would change nothing");
- one recorded before (or made so by an amendment that ended the sanction before it) blocks
  no lift: a correcting lift needs no other way out (no event withdraws a lift), and once it
  is applied the sanction is lifted from its day, the earlier (`sanction_timeline`, the
  header's `lifted_on`: the earliest lift).

The receipt judges against the sanction on record: an amendment still on its way to the
registry (sent a moment before, without waitForProcessing) that moves the last day can make
the registry judge a lift otherwise than the receipt did.
"""

from __future__ import annotations

import datetime as dt


def changes_nothing(effective_on: dt.date, last_day: dt.date | None) -> bool:
    """Whether a lift from `effective_on` of a sanction whose last day, every amendment
    counted, is `last_day` (None: it has none) changes nothing."""
    return last_day is not None and effective_on > last_day


def nothing_to_lift(
    sanction_id: str, effective_on: dt.date, last_day: dt.date | None
) -> str | None:
    """Why a lift from `effective_on` is refused: the sanction had ended by then; None when it
    ends something."""
    if not changes_nothing(effective_on, last_day):
        return None
    return (
        f"payload.effective_on: sanction {sanction_id!r} has ended by then, its last day being"
        f" {last_day}; a lift from {effective_on} would change nothing"
    )
