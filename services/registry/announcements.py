"""What the registry tells others: the change feed, and vendor.eligibility_changed events.

An eligibility change is announced once, whether an event caused it (a sanction imposed,
lifted, amended; an affiliation) or the calendar did (a sanction starting or ending today with
no event at all). The announced state is kept per vendor; the events go through an outbox
written in the same transaction, relayed to the event log afterwards.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence

from services.events.base import EventEnvelope
from services.events.catalog import EMITTED_BY, new_event
from services.events.emitted import EligibilityChanged, EligibilityReasonRef, reasons_key
from services.platform.consuming.outbox import Outbox
from services.platform.eventlog.base import Writer
from services.platform.postgres.database import Connection
from services.registry.domain.eligibility import Eligibility, Reason
from services.registry.reads.screening import screen

SOURCE = EMITTED_BY[EligibilityChanged.event_type]
OUTBOX = Outbox("registry_outbox", Writer.REGISTRY)

# Only one process at a time reconciles a day's eligibility (workers may run replicated; a
# rebuild holds it too, so that the calendar does not judge a registry half replayed).
RECONCILE_LOCK_KEY = 0x5657_5245  # "VWRE"


async def record_changes(
    conn: Connection, vendor_ids: Iterable[str], kind: str, at: dt.datetime
) -> None:
    """Lists the vendors in the change feed, dated `at` (the causing event's recorded time)."""
    await record_each_change(conn, [(vendor_id, kind, at) for vendor_id in sorted(set(vendor_ids))])


async def record_each_change(
    conn: Connection, changes: Sequence[tuple[str, str, dt.datetime]]
) -> None:
    """Lists (vendor, kind, recorded at) in the feed in this order, in one statement."""
    if not changes:
        return
    await conn.execute(
        """INSERT INTO registry_changes (vendor_id, kind, recorded_at)
           SELECT vendor_id, kind, recorded_at
           FROM unnest($1::text[], $2::text[], $3::timestamptz[])
               WITH ORDINALITY AS c(vendor_id, kind, recorded_at, n)
           ORDER BY n""",
        [vendor_id for vendor_id, _, _ in changes],
        [kind for _, kind, _ in changes],
        [at for _, _, at in changes],
    )


# A sanction bars a vendor with the same reason on many days (its alerts and re-screens ask
# again and again), and the model is frozen: each is made once.
@functools.lru_cache(maxsize=1 << 14)
def reason_ref(reason: Reason) -> EligibilityReasonRef:
    """A barring sanction as announcements carry it."""
    return EligibilityReasonRef(
        sanction_id=reason.sanction_id,
        kind=reason.kind,
        authority=reason.authority,
        starts_on=reason.starts_on,
        ends_on=reason.ends_on,
        via_vendor_id=reason.via_vendor_id,
        agencies=list(reason.agencies) if reason.agencies is not None else None,
        categories=list(reason.categories) if reason.categories is not None else None,
    )


def eligibility_event(answer: Eligibility, occurred_at: dt.datetime) -> EventEnvelope:
    # `upcoming` only when there is some: an announcement without it says what it said before
    # the field existed (written without it, LaterFields).
    upcoming = {"upcoming": [reason_ref(r) for r in answer.upcoming]} if answer.upcoming else {}
    payload = EligibilityChanged(
        as_of=answer.as_of,
        eligible=answer.eligible,
        reasons=[reason_ref(r) for r in answer.reasons],
        eligible_again_on=answer.eligible_again_on,
        **upcoming,
    )
    return new_event(payload, vendor_id=answer.vendor_id, source=SOURCE, occurred_at=occurred_at)


async def start_as_eligible(conn: Connection, vendors: Sequence[tuple[str, dt.datetime]]) -> None:
    """Newly registered vendors, each eligible as of when it was registered."""
    await conn.execute(
        """INSERT INTO registry_eligibility_state
               (vendor_id, eligible, as_of, updated_at, barring, upcoming)
           SELECT vendor_id, true, as_of, updated_at, '[]', '[]'
           FROM unnest($1::text[], $2::date[], $3::timestamptz[])
               AS s(vendor_id, as_of, updated_at)""",
        [vendor_id for vendor_id, _ in vendors],
        [now.date() for _, now in vendors],
        [now for _, now in vendors],
    )


# What was last announced of a vendor: eligible; if not, eligible again on and what bars it
# (`barring`; None for states saved before it was kept: compared without it, and filled in by
# the vendor's next screening, which the calendar's first pass gives every vendor, without an
# announcement. What changed before the upgrade and was never announced stays so, rather than
# every barred vendor being announced, and every watching agency alerted, once more); and
# what is recorded to bar it later (`upcoming`, None likewise for states saved before it was
# kept: an upgrade announces nothing, and a vendor's bars to come are said from its next
# announcement on).
Announced = tuple[bool, dt.date | None, str | None, str | None]


def barring(answer: Eligibility) -> str:
    """What an answer says bars the vendor, as one comparable text. A second sanction, or one
    amended to more agencies, leaves eligible and eligible-again-on as they were but bars the
    vendor somewhere new: migration opens plans and agencies are alerted from the reasons, so
    a change of them is announced too (and only a change: `reasons_key` ignores order)."""
    return reasons_key([reason_ref(r) for r in answer.reasons])


def upcoming(answer: Eligibility) -> str:
    """What an answer says will bar the vendor later, as one comparable text: a sanction
    recorded to begin next month changes nothing today, but a replacement chosen for a
    contract must not be under it (migration flags it, as `chooseReplacementVendor` refuses
    it), so a change of these is announced too."""
    return reasons_key([reason_ref(r) for r in answer.upcoming])


async def lock_states(conn: Connection, vendor_ids: Sequence[str]) -> dict[str, Announced]:
    """The announced states of those of these vendors that have one, in vendor order, locked
    for the transaction. Lock them before screening (in one order, so two reconcilers cannot
    deadlock): a concurrent reconcile of the same vendor waits, then screens what this one
    committed, instead of overwriting a newer answer with an older one."""
    rows = await conn.fetch(
        "SELECT vendor_id, eligible, eligible_again_on, barring, upcoming"
        " FROM registry_eligibility_state"
        " WHERE vendor_id = ANY($1::text[]) ORDER BY vendor_id FOR UPDATE",
        list(vendor_ids),
    )
    return {
        r["vendor_id"]: (r["eligible"], r["eligible_again_on"], r["barring"], r["upcoming"])
        for r in rows
    }


def announced_as(answer: Eligibility) -> Announced:
    """The state an answer is recorded as once announced."""
    return answer.eligible, answer.eligible_again_on, barring(answer), upcoming(answer)


def _differs(announced: Announced | None, answer: Eligibility) -> bool:
    # A vendor without an announced state is new, and new vendors start eligible. A state kept
    # before its reasons were is compared without them (saying it all again on upgrading
    # would alert every agency once more).
    eligible, again, said, to_come = (
        announced if announced is not None else (True, None, "[]", "[]")
    )
    if (eligible, again) != (answer.eligible, answer.eligible_again_on):
        return True
    if said is not None and said != barring(answer):
        return True
    # Unlike `barring`, a state saved before `upcoming` was kept is compared as having none:
    # a vendor with bars to come is announced once (alerts ignore a change of these alone),
    # or a replacement chosen before the upgrade under a bar recorded then is never flagged.
    return (to_come or "[]") != upcoming(answer)


def changed_answers(
    answers: Mapping[str, Eligibility], announced: Mapping[str, Announced]
) -> list[Eligibility]:
    """The answers that differ from what was last announced, in the answers' order."""
    return [
        answer
        for vendor_id, answer in answers.items()
        if _differs(announced.get(vendor_id), answer)
    ]


async def save_states(conn: Connection, answers: Sequence[tuple[Eligibility, dt.datetime]]) -> None:
    """Records each answer (of distinct vendors) as its vendor's announced state, as of the
    answer's day and updated when the log recorded the causing event; one statement."""
    await conn.execute(
        """INSERT INTO registry_eligibility_state
               (vendor_id, eligible, eligible_again_on, as_of, updated_at, barring, upcoming)
           SELECT * FROM unnest($1::text[], $2::boolean[], $3::date[], $4::date[],
                                $5::timestamptz[], $6::text[], $7::text[])
           ON CONFLICT (vendor_id) DO UPDATE SET eligible = EXCLUDED.eligible,
               eligible_again_on = EXCLUDED.eligible_again_on, as_of = EXCLUDED.as_of,
               updated_at = EXCLUDED.updated_at, barring = EXCLUDED.barring,
               upcoming = EXCLUDED.upcoming""",
        [a.vendor_id for a, _ in answers],
        [a.eligible for a, _ in answers],
        [a.eligible_again_on for a, _ in answers],
        [a.as_of for a, _ in answers],
        [at for _, at in answers],
        [barring(a) for a, _ in answers],
        [upcoming(a) for a, _ in answers],
    )


async def reconcile(
    conn: Connection, vendor_ids: Sequence[str], now: dt.datetime, *, announce: bool = True
) -> list[str]:
    """Re-evaluates these vendors for `now`'s date; announces (outbox + change feed) those whose
    eligibility differs from what was last announced. Returns the vendors announced.

    Without `announce` (a rebuild) the announced state and the feed are recorded as they were
    when it was said, and nothing is said again: no outbox rows (the rebuild's `finish` then
    keeps the feed's rows as they were, registry/rebuild.py)."""
    today = now.date()
    announced = await lock_states(conn, vendor_ids)
    # Every registered vendor has an announced state; one named before its registration (an
    # affiliate recorded first, as distributed mode allows) is screened once it registers.
    # Announcements say no bar's first day (`reason_ref`): finding it walks each sanction's
    # changes, for every vendor the daily calendar re-evaluates.
    answers = await screen(conn, list(announced), today, with_bars_from=False)
    changed = changed_answers(answers, announced)
    await save_states(conn, [(a, now) for a in answers.values()])
    if announce:
        await OUTBOX.put(conn, [eligibility_event(a, now) for a in changed])
    await record_changes(conn, [a.vendor_id for a in changed], "eligibility", now)
    return [a.vendor_id for a in changed]


async def reconcile_due(
    conn: Connection, today: dt.date, now: dt.datetime, batch: int = 1000, after: str = ""
) -> list[str]:
    """The calendar's part: re-evaluates one batch of the vendors not yet evaluated for
    `today`, those after `after` in id order; returns them, in that order (none: none due,
    or another process is at it). Call in a transaction, and again after the last of them
    until fewer than `batch` come back: committing batch by batch keeps the locks on
    announced states short, and reading on from the last by the key reads each vendor once
    a day (from the start each time, every batch read past those done before it: a day's
    pass grew with the square of the vendors)."""
    if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", RECONCILE_LOCK_KEY):
        return []
    due = await conn.fetch(
        "SELECT vendor_id FROM registry_eligibility_state WHERE vendor_id > $3 AND as_of < $1"
        " ORDER BY vendor_id LIMIT $2",
        today,
        batch,
        after,
    )
    vendor_ids = [r["vendor_id"] for r in due]
    await reconcile(conn, vendor_ids, now)
    return vendor_ids
