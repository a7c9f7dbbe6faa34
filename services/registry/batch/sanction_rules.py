"""What applying a batch's sanction events (imposed, amended, lifted) one by one, in log order,
would write (no I/O: handler.py loads the state and writes; `SanctionFold` takes the events one
at a time, so that the handler can give the event loop a turn between two of them).

Each event is judged with the registry's own verdicts (imposition_rules), then, as its
handler does, re-screens its vendor and every vendor ever affiliated with it for the day the
log recorded it: their announced states, an announcement for each answer that changed, and the
change feed. Here the sanctions those answers come from are kept in memory, from the state the
database held before the events plus the events themselves, and the eligibility rules
(screening.exposures, eligibility.evaluate) run on them unchanged. A refusal raises
`DomainRejection`, before anything is written; the consumer then applies the batch event by
event and refuses exactly the faulty one.

rules.plan decides which sanction events may come here: none that an event applied by its
handler could tell apart from the log's order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from services.events.base import EventEnvelope
from services.events.sanction import SanctionAmended, SanctionImposed, SanctionLifted
from services.platform.consuming.consumer import DomainRejection
from services.registry import announcements
from services.registry.announcements import Announced
from services.registry.domain.affiliations import Pair, Period, affiliates_of
from services.registry.domain.eligibility import Eligibility, evaluate
from services.registry.domain.imposition_rules import (
    SanctionHeader,
    change_refusal,
    imposition_refusal,
)
from services.registry.domain.policy import SuspensionPolicy
from services.registry.domain.sanction_timeline import Change, SanctionTimeline
from services.registry.reads.screening import exposures
from services.registry.storage.sanction_repository import (
    Row,
    change_of,
    change_row,
    header_of,
    sanction_row,
    timeline_of,
)

SANCTIONS = frozenset(
    {SanctionImposed.event_type, SanctionAmended.event_type, SanctionLifted.event_type}
)


def reach(vendor_id: str, partners: Mapping[str, Collection[str]]) -> set[str]:
    """The vendors an event about this one re-screens: itself and every vendor an affiliation
    change ever named with it (`partners`, both ways), as the handlers' `_announce`."""
    return {vendor_id, *partners.get(vendor_id, ())}


@dataclass(frozen=True)
class SanctionState:
    """What the database held before the batch's sanction events, of what they depend on."""

    registered: frozenset[str]  # of the events' vendors
    since: dt.date  # the first day the events re-screen (the earliest the log recorded)
    # Stored sanctions the events name: what judging a change of each needs.
    headers: Mapping[str, SanctionHeader]
    partners: Mapping[str, Collection[str]]  # of the events' vendors (`reach`)
    periods: dict[Pair, list[Period]]  # of every pair of a vendor reached
    # Stored sanctions of the vendors reached and their affiliates that may apply on `since`
    # or later, and those the events name: each row (with its change rows,
    # `sanction_repository.sanction_rows`' form) and its timeline.
    sanctions: Sequence[tuple[Row, SanctionTimeline]]
    announced: Mapping[str, Announced]  # of the vendors reached that have an announced state


@dataclass
class SanctionWrites:
    """What applying the events one by one would write, by table, in the order written."""

    sanctions: list[dict[str, Any]] = field(default_factory=list)  # registry_sanctions rows
    changes: list[dict[str, Any]] = field(default_factory=list)  # registry_sanction_changes
    # Announced states: each vendor's last answer, and when the log recorded its event.
    states: dict[str, tuple[Eligibility, dt.datetime]] = field(default_factory=dict)
    announcements: list[EventEnvelope] = field(default_factory=list)  # the outbox
    feed: list[tuple[str, str, dt.datetime]] = field(default_factory=list)  # the change feed


@dataclass
class _Sanctions:
    """The sanctions known so far (stored, then the batch's), with their timelines."""

    rows: dict[str, Row]
    # The changes of the sanctions the batch imposed or changed; a stored one's are taken
    # from its row when the batch first changes it.
    changes: dict[str, list[Change]]
    timelines: dict[str, dict[str, SanctionTimeline]]  # by vendor, then sanction id

    @classmethod
    def of(cls, stored: Sequence[tuple[Row, SanctionTimeline]], since: dt.date) -> _Sanctions:
        """`since`: the first day the batch screens; what ended before it has no timeline
        here (it bars nothing then), only its row, until an event changes it."""
        known = cls({}, {}, {})
        for row, timeline in stored:
            known.rows[row["sanction_id"]] = row
            if timeline.applies_on_or_after(since):
                known.timelines.setdefault(row["vendor_id"], {})[row["sanction_id"]] = timeline
        return known

    def changes_of(self, sanction_id: str) -> list[Change]:
        if sanction_id not in self.changes:
            stored = self.rows[sanction_id]["changes"]
            self.changes[sanction_id] = [change_of(c) for c in stored]
        return self.changes[sanction_id]

    def rebuild(self, sanction_id: str) -> None:
        row = self.rows[sanction_id]
        timeline = timeline_of(row, self.changes_of(sanction_id))
        self.timelines.setdefault(row["vendor_id"], {})[sanction_id] = timeline

    def by_vendor(
        self, vendor_ids: Collection[str], day: dt.date
    ) -> dict[str, list[SanctionTimeline]]:
        """Those that apply on `day` or later, in sanction id order, as sanction_repository
        reads them (what ended before bars nothing then: `eligibility.evaluate`)."""
        return {
            vendor_id: [
                t
                for _, t in sorted(self.timelines.get(vendor_id, {}).items())
                if t.applies_on_or_after(day)
            ]
            for vendor_id in vendor_ids
        }


class SanctionFold:
    """The writes of sanction events, folded one at a time in log order (`add`), so that the
    caller can give the event loop a turn between two of them; `recorded`: when the log
    recorded each. Without `announce` (a rebuild), no announcements, as the handlers."""

    def __init__(
        self,
        state: SanctionState,
        recorded: Mapping[uuid.UUID, dt.datetime],
        policies: Mapping[str, SuspensionPolicy],
        *,
        announce: bool,
    ) -> None:
        self.writes = SanctionWrites()
        self._state = state
        self._recorded = recorded
        self._policies = policies
        self._announce = announce
        self._headers = dict(state.headers)
        self._known = _Sanctions.of(state.sanctions, state.since)
        self._announced = dict(state.announced)

    def add(self, event: EventEnvelope) -> None:
        vendor_id = event.vendor_id
        payload = cast(SanctionImposed | SanctionAmended | SanctionLifted, event.payload)
        sanction_id = payload.sanction_id
        if isinstance(payload, SanctionImposed):
            DomainRejection.if_any(
                imposition_refusal(
                    self._policies,
                    vendor_id,
                    payload,
                    self._recorded[event.event_id],
                    registered=vendor_id in self._state.registered,
                    taken=sanction_id in self._headers,
                )
            )
            row = sanction_row(vendor_id, payload, event.event_id)
            self._headers[sanction_id] = header_of(row, [])
            self._known.rows[sanction_id] = row
            self._known.changes[sanction_id] = []
            self.writes.sanctions.append(row)
        else:
            header, recorded = self._headers.get(sanction_id), self._recorded[event.event_id]
            DomainRejection.if_any(
                change_refusal(self._policies, vendor_id, payload, header, recorded)
            )
            amendment = payload if isinstance(payload, SanctionAmended) else None
            row = change_row(
                sanction_id, payload.effective_on, payload.reason, event.event_id, amendment
            )
            changes = self._known.changes_of(sanction_id)
            changes.append(change_of(row))
            # As the stored header would read it now: its earliest lift, its last day.
            self._headers[sanction_id] = header_of(self._known.rows[sanction_id], changes)
            self.writes.changes.append(row)
        self._known.rebuild(sanction_id)
        _rescreen(
            self.writes,
            self._known,
            self._state,
            self._announced,
            vendor_id,
            self._recorded[event.event_id],
            self._announce,
        )


def _rescreen(
    writes: SanctionWrites,
    known: _Sanctions,
    state: SanctionState,
    announced: dict[str, Announced],
    vendor_id: str,
    now: dt.datetime,
    announce: bool,
) -> None:
    """What the handlers' `_announce` (announcements.reconcile) writes after an event about
    `vendor_id` recorded at `now`."""
    touched = sorted(reach(vendor_id, state.partners))
    # Only vendors with an announced state are screened (registered ones), in vendor order.
    screened = [v for v in touched if v in announced]
    related = {v: affiliates_of(v, state.periods) for v in screened}
    today = now.date()
    by_vendor = known.by_vendor({*screened, *(a for r in related.values() for a in r)}, today)
    answers = {
        v: evaluate(v, exposures(v, by_vendor, related[v]), today, with_bars_from=False)
        for v in screened
    }
    changed = announcements.changed_answers(answers, announced)
    for answer in answers.values():
        announced[answer.vendor_id] = announcements.announced_as(answer)
        writes.states[answer.vendor_id] = (answer, now)
    if announce:
        writes.announcements += [announcements.eligibility_event(a, now) for a in changed]
    # The vendors announced first, then the others touched, as reconcile and _announce do.
    said = sorted(a.vendor_id for a in changed)
    unsaid = sorted(set(touched) - set(said))
    writes.feed += [(v, "eligibility", now) for v in [*said, *unsaid]]
