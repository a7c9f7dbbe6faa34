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
A lift is what the sanction says too: lifted from a day, it says nothing from that day on
(an amendment effective then is refused as `lifted_already`), and its last day is the day
before at the latest. An amendment effective before its lift is compared on the days until
the lift, each term's last day taken as the lift ends it: a new period that still ends on
or after the lift changes nothing (eight months instead of six, effective 2023-02-01, of a
sanction lifted from 2023-02-15 ends it on 2023-02-14 all the same), and is refused as its
twin effective on the lift's day is (found by exploratory testing). This is part of the
rule of `FOURTH_RULES_FROM`, still to come when it was refined, so no verdict given live
changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from services.events.sanction import SanctionAmended
from services.registry.domain.periods import ONE_DAY
from services.registry.domain.sanction_timeline import Change, Terms, fold, terms_on


def changes_nothing(
    amendment: SanctionAmended,
    starts_on: dt.date,
    imposed: Terms,
    amendments: Sequence[Change],
    lifted_on: dt.date | None = None,
) -> bool:
    """Whether `amendment` of a sanction starting `starts_on`, imposed with `imposed` terms,
    amended so far by `amendments` (in recorded order, lifts aside) and lifted from
    `lifted_on` (None: not lifted), leaves its terms on every day from its effective day on
    as they are."""
    day = amendment.effective_on
    change = Change(day, False, amendment.changes())
    without = fold(imposed, amendments, starts_on)
    with_it = fold(imposed, [*amendments, change], starts_on)
    # The terms change only on the days a change takes effect: these are the days to compare,
    # those before the lift (from it on, the sanction says nothing either way).
    days = {day, *(c.effective_on for c in amendments if c.effective_on > day)}
    if lifted_on is not None:
        days = {d for d in days if d < lifted_on}
    return all(
        _said(terms_on(without, d), lifted_on) == _said(terms_on(with_it, d), lifted_on)
        for d in days
    )


def unchanged_refusal(
    amendment: SanctionAmended,
    starts_on: dt.date,
    imposed: Terms | None,
    amendments: Sequence[Change],
    lifted_on: dt.date | None = None,
) -> str | None:
    """Why the amendment is refused: it changes nothing of the sanction's terms (`imposed`
    None: they are not known here, and it is never found to); None when it changes some."""
    if imposed is None or not changes_nothing(amendment, starts_on, imposed, amendments, lifted_on):
        return None
    until = "" if lifted_on is None else f" until its lift from {lifted_on}"
    return (
        f"payload: sanction {amendment.sanction_id!r} has these terms from"
        f" {amendment.effective_on} on{until} already; the amendment would change nothing"
    )


def _said(terms: Terms, lifted_on: dt.date | None) -> Terms:
    """The terms without the day they took effect on, their last day as a lift from
    `lifted_on` ends them: on the day before at the latest."""
    said = dataclasses.replace(terms, effective_on=dt.date.min)
    if lifted_on is None:
        return said
    last = lifted_on - ONE_DAY
    return dataclasses.replace(
        said, last_day=last if terms.last_day is None else min(terms.last_day, last)
    )
