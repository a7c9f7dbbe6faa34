"""Every agency's running critical contracts, as counters kept per day (pure).

The concentration factor needs, for a day, how many critical contracts (all vendors') an
agency has running. Rather than counting every contract each time, each contract adds +1 on
its first day and -1 the day after its last; an agency's total on a day is the sum of its
changes up to that day, so a contract event costs two counters, whatever the number of
contracts. A contract counts as its latest event left it: an amendment's new end, or a
termination's earlier one, is taken as soon as the event is recorded.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from services.events.base import EventEnvelope
from services.events.contract import ContractAmended, ContractAwarded, ContractTerminated
from services.registry.domain.periods import ONE_DAY
from services.risk.domain.scoring import CRITICAL_CRITICALITIES

# (agency, day) → change in its number of running critical contracts on that day.
DayChanges = Counter[tuple[str, dt.date]]
# An agency's stored counters summed: the day ordinals its total changed on, in order, and
# its total from each of them on.
StoredTotals = tuple[Sequence[int], Sequence[int]]


@dataclass(frozen=True)
class ContractRow:
    """A contract as the totals (and riskiestVendors' agency filter) count it."""

    contract_id: str
    vendor_id: str
    agency: str
    critical: bool
    starts_on: dt.date
    ends_on: dt.date


def contract_after(row: ContractRow | None, event: EventEnvelope) -> ContractRow | None:
    """The contract after `event` (None: not known yet)."""
    payload = event.payload
    match payload:
        case ContractAwarded():
            critical = payload.criticality in CRITICAL_CRITICALITIES
            return ContractRow(
                payload.contract_id,
                event.vendor_id,
                payload.agency,
                critical,
                payload.starts_on,
                payload.ends_on,
            )
        case ContractAmended() if row is not None and payload.ends_on is not None:
            return replace(row, ends_on=payload.ends_on)
        case ContractTerminated() if row is not None:
            return replace(row, ends_on=min(row.ends_on, payload.terminated_on))
    return row


def _changes(row: ContractRow | None, sign: int) -> DayChanges:
    if row is None or not row.critical or row.ends_on < row.starts_on:
        return Counter()
    return Counter({(row.agency, row.starts_on): sign, (row.agency, row.ends_on + ONE_DAY): -sign})


def day_changes(old: ContractRow | None, new: ContractRow | None) -> DayChanges:
    """How the counters change when a contract goes from `old` to `new`."""
    changes = _changes(new, 1)
    changes.update(_changes(old, -1))  # update adds (and keeps zeros): the net change
    return changes


def moved_today(changes: DayChanges, today: dt.date) -> list[str]:
    """The agencies whose total on `today` these changes move (a contract that began and
    ended before it moves none), in order."""
    net: Counter[str] = Counter()
    for (agency, day), delta in changes.items():
        if day <= today:
            net[agency] += delta
    return sorted(agency for agency, delta in net.items() if delta)


class _RunningTotal:
    """An agency's total on any day: the running totals stored up to the batch (summed in
    PostgreSQL, looked up by bisection) plus the changes made since, as a Fenwick tree over
    date ordinals kept sparse (only the nodes a change touched exist)."""

    _SIZE = dt.date.max.toordinal() + 1

    def __init__(self, days: Sequence[int] = (), totals: Sequence[int] = ()) -> None:
        # Sorted day ordinals on which the total changed, and the total from each on.
        self._days, self._totals = days, totals
        self._tree: dict[int, int] = {}
        # Totals asked since the last change: every vendor holding the agency's contracts
        # asks for today's after each of its events (a totals object lives one batch).
        self._asked: dict[dt.date, int] = {}

    def add(self, day: dt.date, delta: int) -> None:
        self._asked.clear()
        index = day.toordinal()
        while index < self._SIZE:
            self._tree[index] = self._tree.get(index, 0) + delta
            index += index & -index

    def up_to(self, day: dt.date) -> int:
        if (found := self._asked.get(day)) is not None:
            return found
        index = day.toordinal()
        at = bisect.bisect_right(self._days, index)
        total = self._totals[at - 1] if at else 0
        if tree := self._tree:  # most agencies gain no contract in a batch
            while index > 0:
                total += tree.get(index, 0)
                index -= index & -index
        self._asked[day] = total
        return total


class CriticalTotals:
    """The counters of the agencies loaded so far, changed (`add`) as contract events come."""

    def __init__(self) -> None:
        self._days: dict[str, _RunningTotal] = {}

    def missing(self, agencies: Iterable[str]) -> set[str]:
        return set(agencies) - self._days.keys()

    def load(self, agencies: Iterable[str], stored: Mapping[str, StoredTotals]) -> None:
        """The stored counters of these agencies (`stored`: the running totals of those that
        have any, as `repository.critical_days` sums them)."""
        for agency in agencies:
            self._days.setdefault(agency, _RunningTotal(*stored.get(agency, ((), ()))))

    def add(self, changes: DayChanges) -> None:
        """Changes of loaded agencies only: another's stored counters would be missed."""
        for (agency, day), delta in changes.items():
            self._days[agency].add(day, delta)

    def on(self, day: dt.date) -> Mapping[str, int]:
        """Per agency loaded, its critical contracts running on `day` (computed when asked)."""
        return _TotalsOn(self._days, day)

    def of(self, agencies: Iterable[str], day: dt.date) -> dict[str, int]:
        """These agencies' critical contracts running on `day` (0 for one not loaded): what a
        score's concentration used, kept beside it (asked per event and vendor)."""
        days = self._days
        return {a: days[a].up_to(day) if a in days else 0 for a in agencies}


@dataclass(frozen=True)
class _TotalsOn(Mapping[str, int]):
    days: Mapping[str, _RunningTotal]
    day: dt.date

    def __getitem__(self, agency: str) -> int:
        # Logarithmic in the days the agency's contracts start or end on, not linear.
        return self.days[agency].up_to(self.day)

    def get(self, agency: str, default: int = 0) -> int:  # type: ignore[override]
        # Without Mapping.get's KeyError round trip: asked per agency held for every score.
        found = self.days.get(agency)
        return default if found is None else found.up_to(self.day)

    def __iter__(self) -> Iterator[str]:
        return iter(self.days)

    def __len__(self) -> int:
        return len(self.days)
