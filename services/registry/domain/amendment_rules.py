"""When an amendment of a sanction changes nothing (pure): the sanction's terms from the
amendment's effective day on are the same with it and without it.

The terms are those a timeline keeps (`sanction_timeline.Terms`), what `sanction.amended` can
set: the last day (a period is compared by the day it ends, however given: six months or the
`ends_on` they come to are one period; indefinite, no last day), the agencies and the
categories (each list as recorded, None for every one: `cover_all` of a scope already
covering every one changes nothing) and whether it covers affiliates. They are compared on
every day from the amendment's on, every other amendment counted, lifts aside (no amendment
is taken from a lift on: `imposition_rules`): an amendment effective before a later one that
sets other terms, whose own terms come back after it, changes something. One identical to
the amendment in force (sent again: `amendSanction(… effectiveOn: "2026-12-20", period:
{durationMonths: 6})` twice) was recorded as a new amendment, which an auditor reads as a
decision. It is refused (`no_change`) by the receipt whenever it is asked, and by the
registry, its batches and a rebuild for events recorded from `later_rules.FOURTH_RULES_FROM`
on (`imposition_rules.change_refusal`).

What is compared is what the terms say, not whether the sanction applies: an amendment
effective after the sanction ended that narrows its scope changes its terms, and is taken.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from services.events.sanction import SanctionAmended
from services.registry.domain.sanction_timeline import Change, Terms, fold, terms_on


def changes_nothing(
    amendment: SanctionAmended,
    starts_on: dt.date,
    imposed: Terms,
    amendments: Sequence[Change],
) -> bool:
    """Whether `amendment` of a sanction starting `starts_on`, imposed with `imposed` terms
    and amended so far by `amendments` (in recorded order, lifts aside), leaves its terms on
    every day from its effective day on as they are."""
    day = amendment.effective_on
    change = Change(day, False, amendment.changes())
    without = fold(imposed, amendments, starts_on)
    with_it = fold(imposed, [*amendments, change], starts_on)
    # The terms change only on the days a change takes effect: these are the days to compare.
    days = {day, *(c.effective_on for c in amendments if c.effective_on > day)}
    return all(_said(terms_on(without, d)) == _said(terms_on(with_it, d)) for d in days)


def unchanged_refusal(
    amendment: SanctionAmended,
    starts_on: dt.date,
    imposed: Terms | None,
    amendments: Sequence[Change],
) -> str | None:
    """Why the amendment is refused: it changes nothing of the sanction's terms (`imposed`
    None: they are not known here, and it is never found to); None when it changes some."""
    if imposed is None or not changes_nothing(amendment, starts_on, imposed, amendments):
        return None
    return (
        f"payload: sanction {amendment.sanction_id!r} has these terms from"
        f" {amendment.effective_on} on already; the amendment would change nothing"
    )


def _said(terms: Terms) -> Terms:
    """The terms without the day they took effect on."""
    return dataclasses.replace(terms, effective_on=dt.date.min)
