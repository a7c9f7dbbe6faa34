"""A vendor's sanctions as facts (pure): each sanction's changes as its events record them
(`sanction_change`), and a sanction as it stands on a day, derived from its timeline by the
registry's own rules (`timeline_of`, `last_day_on`, `bar_end`) only when a score asks for it
(`SanctionsOn`, the sanctions of `fold.facts_on`)."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Iterator, Mapping

from services.events.sanction import PERIOD_FIELDS, SanctionAmended, SanctionLifted
from services.registry.domain import sanction_timeline
from services.registry.domain.periods import ONE_DAY
from services.registry.domain.sanction_timeline import Change
from services.risk.domain.facts import Period, SanctionChange, SanctionFact, SanctionSource


@functools.lru_cache(maxsize=1 << 14)
def timeline_of(
    source: SanctionSource,
) -> tuple[sanction_timeline.SanctionTimeline, dt.date | None]:
    """The sanction's timeline by the registry's own rules (amendments and lifts from their
    effective dates), and the day of its first lift (None: never lifted), once per version
    of the sanction: its terms are then asked for every day an event of its vendor counts."""
    timeline = sanction_timeline.build(
        sanction_id=source.sanction_id,
        vendor_id="",
        kind=source.kind,
        authority=source.authority,
        decided_on=source.decided_on,
        starts_on=source.starts_on,
        imposed=source.period.fields(),
        changes=[
            Change(c.effective_on, c.lifted, {} if c.period is None else c.period.fields())
            for c in source.changes
        ],
    )
    lifts = [t.effective_on for t in timeline.terms if t.lifted]
    return timeline, min(lifts, default=None)


# Every score of a vendor derives each of its sanctions for its day, and a batch scores a
# vendor for today after each of its events: the same derivation recurs.
@functools.lru_cache(maxsize=1 << 14)
def _sanction_fact(source: SanctionSource, as_of: dt.date) -> SanctionFact:
    """A sanction as it stands on `as_of`: in force then, to the last day of that bar as
    every change recorded says (`bar_end`)."""
    timeline, lifted_on = timeline_of(source)
    last_day = last_day_on(timeline, lifted_on, as_of)
    if source.starts_on <= as_of and (last_day is None or as_of <= last_day):
        last_day = bar_end(timeline, as_of)
    return SanctionFact(
        sanction_id=source.sanction_id,
        kind=source.kind,
        starts_on=source.starts_on,
        last_day=last_day,
        event_ids=source.event_ids,
    )


def bar_end(timeline: sanction_timeline.SanctionTimeline, as_of: dt.date) -> dt.date | None:
    """The last day of the stretch in force on `as_of`, every change recorded counted, those
    dated ahead included (a lift from next month, a new period from a later day), as the
    registry's reasons give a sanction's end; None: no end. Whether it is in force on `as_of`
    is the day's own terms' (`last_day_on`): a change ahead moves the end, not the day."""
    days = timeline.breakpoints
    for later in days[bisect.bisect_right(days, as_of) :]:
        if not timeline.in_force_on(later):
            return later - ONE_DAY
    return None


def last_day_on(
    timeline: sanction_timeline.SanctionTimeline, lifted_on: dt.date | None, as_of: dt.date
) -> dt.date | None:
    """A sanction's last day as it stands on `as_of` (a lift final: in force until the day
    before it), from its timeline and first lift (`timeline_of`); None: indefinite."""
    last_day = timeline.terms_on(as_of).last_day
    if lifted_on is not None and lifted_on <= as_of:
        until = lifted_on - ONE_DAY
        last_day = until if last_day is None else min(last_day, until)
    return last_day


class SanctionsOn(Mapping[str, SanctionFact]):
    """A vendor's sanctions as they stand on a day, each derived when first asked for: a
    score whose sanction factors come from their terms (terms.py) never asks."""

    def __init__(self, sources: Mapping[str, SanctionSource], as_of: dt.date) -> None:
        self._sources = sources
        self._as_of = as_of
        self._facts: dict[str, SanctionFact] = {}

    def __getitem__(self, sanction_id: str) -> SanctionFact:
        found = self._facts.get(sanction_id)
        if found is None:
            found = self._facts[sanction_id] = _sanction_fact(
                self._sources[sanction_id], self._as_of
            )
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def __repr__(self) -> str:
        return f"SanctionsOn({dict(self)!r})"


def sanction_change(payload: SanctionAmended | SanctionLifted) -> SanctionChange:
    """What an amendment or a lift changes of its sanction (`fold`'s record of it): a lift,
    a new period, or neither (an amendment of other terms, its scope say)."""
    if isinstance(payload, SanctionLifted):
        return SanctionChange(payload.effective_on, lifted=True)
    fields = payload.changes()
    if not any(name in fields for name in PERIOD_FIELDS):
        return SanctionChange(payload.effective_on, lifted=False)
    period = Period(
        fields.get("duration_months"), fields.get("duration_days"), fields.get("ends_on")
    )
    return SanctionChange(payload.effective_on, lifted=False, period=period)
