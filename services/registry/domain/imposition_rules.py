"""Whether a sanction may be imposed as given under its authority's suspension policy, and
why the registry refuses a sanction event (pure).

The rules are used twice on purpose: the API refuses at once (the person at the form hears
why), and the registry refuses again for events from any other producer. The API judges an
imposition alone (`imposition_check`), and an amendment or a lift against the sanction as
the registry holds it (`change_problem`, read by `registry/reads/sanction_changes.py`). The
registry's reasons are decided here once for all three paths, the handlers, the batch
(registry/batch/sanction_rules.py) and the receipt, so that each refuses the same event with
the same words; each reason has its code for the receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.sanction import (
    PERIOD_FIELDS,
    SanctionAmended,
    SanctionImposed,
    SanctionLifted,
)
from services.platform.eventstore.later_rules import (
    judged_by_fourth_rules,
    judged_by_later_rules,
)
from services.registry.domain.amendment_rules import unchanged_refusal
from services.registry.domain.known_vendors import unknown_vendor
from services.registry.domain.lift_rules import changes_nothing, nothing_to_lift
from services.registry.domain.policy import (
    OutsidePolicy,
    Period,
    PolicyError,
    SuspensionPolicy,
    check_new_period,
    check_period,
)
from services.registry.domain.policy_authority import authority_refusal, governing_policy
from services.registry.domain.record_ids import sanction_taken_refusal
from services.registry.domain.sanction_timeline import Change, Terms


@dataclass(frozen=True, slots=True)
class SanctionHeader:
    """What judging a change of a sanction needs of it: whose it is, its first day, what its
    policy range is found from, from when it was lifted early, if it was (its earliest
    lift), and its last day, every amendment counted and lifts aside (None: it has none, or
    is not known here: a lift is then never found to change nothing); the terms it was
    imposed with and its amendments, in recorded order (`imposed` None: not known here, an
    amendment is then never found to change nothing: amendment_rules)."""

    vendor_id: str
    decided_on: dt.date
    starts_on: dt.date
    authority: str
    grounds: tuple[str, ...]
    serious: bool
    lifted_on: dt.date | None = None
    last_day: dt.date | None = None
    imposed: Terms | None = None
    amendments: tuple[Change, ...] = ()


def policy_refusal(
    policies: Mapping[str, SuspensionPolicy], payload: SanctionImposed
) -> str | None:
    """Why the period departs from the policy without a recorded override; None when it may
    be imposed (within range, overridden with a reason, or no policy for that authority)."""
    policy = policies.get(payload.authority)
    if policy is None or payload.policy_override_reason is not None:
        return None
    return _departure(
        lambda: check_period(
            policy,
            grounds=payload.grounds,
            serious=payload.serious,
            decided_on=payload.decided_on,
            starts_on=payload.starts_on,
            period=Period.of(payload),
        )
    )


def imposition_refusal(
    policies: Mapping[str, SuspensionPolicy],
    vendor_id: str,
    payload: SanctionImposed,
    recorded_at: dt.datetime,
    *,
    registered: bool,
    taken: bool,
) -> str | None:
    """Why the registry refuses an imposition the log recorded at `recorded_at` (`taken`: its
    sanction id is already used); None when it applies it."""
    if not registered:
        return unknown_vendor(vendor_id)
    if taken:
        return sanction_taken_refusal(payload.sanction_id)[1]
    if (spelling := authority_refusal(policies, payload.authority, recorded_at)) is not None:
        return spelling
    return policy_refusal(policies, payload)


def change_refusal(
    policies: Mapping[str, SuspensionPolicy],
    vendor_id: str,
    payload: SanctionAmended | SanctionLifted,
    sanction: SanctionHeader | None,
    recorded_at: dt.datetime,
) -> str | None:
    """Why the registry refuses an amendment or a lift of `sanction` (None when unknown),
    recorded by the log at `recorded_at`; None when it applies it. A new period is held to
    the policy range of the sanction's grounds, as its imposition was, unless the amendment
    records why it departs; a lifted sanction is not lifted again, nor amended from its
    lift on (either would change nothing, or move its end unseen); a sanction is not lifted
    from after its last day (lift_rules), nor amended to the terms it has (amendment_rules)."""
    if sanction is None:
        return unknown_sanction(payload.sanction_id)[1]
    refusal = _change_refusal(policies, vendor_id, payload, sanction, recorded_at)
    return None if refusal is None else refusal[1]


def unknown_sanction(sanction_id: str) -> tuple[str, str]:
    """A change of a sanction the registry does not hold: its code and reason."""
    return "unknown_sanction", f"payload.sanction_id: unknown sanction {sanction_id!r}"


def change_problem(
    policies: Mapping[str, SuspensionPolicy],
    event: EventEnvelope,
    sanction: SanctionHeader | None,
    now: dt.datetime,
) -> Problem | None:
    """The API's check of an amendment or a lift recorded `now`, against the sanction as the
    registry holds it (None: not on record), in the registry's words, with their code; any
    other event passes. A sanction not on record passes: the registry may not have applied
    its imposition yet (sent a moment before, without waitForProcessing); one whose
    imposition the log does not hold either is `reads/unknown_records.py`'s to refuse. What
    the record gives cannot be undone by what the log holds beyond it (its header is the
    imposition's; a lift only brings `lifted_on` earlier), so whatever is refused here, the
    registry would refuse. A lift or an amendment
    that would change nothing is refused whenever it is asked (nothing is recorded of what a
    receipt refuses), though the registry refuses it only from `FOURTH_RULES_FROM` on; both
    are judged against the changes on record (one still on its way to the registry can make
    it judge them otherwise: lift_rules, amendment_rules)."""
    payload = event.payload
    if not isinstance(payload, SanctionAmended | SanctionLifted) or sanction is None:
        return None
    refusal = _change_refusal(policies, event.vendor_id, payload, sanction, now, receipt=True)
    return None if refusal is None else _as_problem(*refusal, SanctionAmended)


def _change_refusal(
    policies: Mapping[str, SuspensionPolicy],
    vendor_id: str,
    payload: SanctionAmended | SanctionLifted,
    sanction: SanctionHeader,
    recorded_at: dt.datetime,
    *,
    receipt: bool = False,
) -> tuple[str, str] | None:
    """`change_refusal` of a sanction on record: the code and the registry's reason (with
    `receipt`, the receipt's, which refuses a lift or an amendment changing nothing whenever
    asked)."""
    if sanction.vendor_id != vendor_id:
        return "other_vendors_sanction", (
            f"payload.sanction_id: sanction {payload.sanction_id!r} belongs to vendor"
            f" {sanction.vendor_id!r}, not {vendor_id!r}"
        )
    if not judged_by_later_rules(recorded_at):
        return _ends_before_start(payload, sanction)
    fourth = judged_by_fourth_rules(recorded_at)
    if (after_lift := _after_lift(payload, sanction, fourth)) is not None:
        return "lifted_already", after_lift
    if payload.effective_on < sanction.decided_on:
        # Nothing changes a sanction before it was decided: a lift so dated ended it before
        # it began, and the records and eligibility then told two different ends.
        return "before_decision", (
            f"payload.effective_on: {payload.effective_on} is before the sanction was decided,"
            f" on {sanction.decided_on}"
        )
    if not isinstance(payload, SanctionAmended):
        nothing = nothing_to_lift(payload.sanction_id, payload.effective_on, sanction.last_day)
        return None if nothing is None or not (fourth or receipt) else ("no_change", nothing)
    if (ends_before := _ends_before_start(payload, sanction)) is not None:
        return ends_before
    if fourth or receipt:
        same = unchanged_refusal(
            payload, sanction.starts_on, sanction.imposed, sanction.amendments, sanction.lifted_on
        )
        if same is not None:
            return "no_change", same
    policy = governing_policy(policies, sanction.authority, recorded_at)
    if policy is None or payload.policy_override_reason is not None:
        return None
    if not any(name in payload.changes() for name in PERIOD_FIELDS):
        return None  # the period stands as imposed
    departure = _departure(
        lambda: check_new_period(
            policy,
            grounds=sanction.grounds,
            serious=sanction.serious,
            starts_on=sanction.starts_on,
            period=Period.of(payload),
        )
    )
    return None if departure is None else ("outside_policy", departure)


def _after_lift(
    payload: SanctionAmended | SanctionLifted, sanction: SanctionHeader, fourth: bool
) -> str | None:
    """Why a change after the sanction's lift is refused; `fourth`: judged by the rules from
    `FOURTH_RULES_FROM`, under which a lift that changed nothing lifted nothing."""
    lifted_on = sanction.lifted_on
    if lifted_on is None:
        return None
    if isinstance(payload, SanctionLifted):
        if fourth and changes_nothing(lifted_on, sanction.last_day):
            return None  # the lift of a mistaken day, after the end: the real one may follow
        return f"payload.sanction_id: sanction {payload.sanction_id!r} was lifted from {lifted_on}"
    if payload.effective_on >= lifted_on:
        return (
            f"payload.effective_on: sanction {payload.sanction_id!r} was lifted from {lifted_on};"
            " an amendment from then on would change nothing"
        )
    return None


def _departure(check: Callable[[], None]) -> str | None:
    """Why the period departs from the policy, as `check` raises it; None when it does not.
    Said of the field it is about when there is one (the start, or the field giving the
    period), so that a form shows it beside that field; of the payload when both depart."""
    try:
        check()
    except OutsidePolicy as problem:
        where = f"payload.{problem.fields[0]}" if len(problem.fields) == 1 else "payload"
        return f"{where}: {problem}"
    except PolicyError as problem:
        return f"payload: {problem}"
    return None


def _ends_before_start(
    payload: SanctionAmended | SanctionLifted, sanction: SanctionHeader
) -> tuple[str, str] | None:
    ends_on = payload.ends_on if isinstance(payload, SanctionAmended) else None
    if ends_on is not None and ends_on < sanction.starts_on:
        return "ends_before_start", (
            f"payload.ends_on: {ends_on} is before the sanction's start {sanction.starts_on}"
        )
    return None


def imposition_check(
    policies: Mapping[str, SuspensionPolicy],
) -> Callable[[EventEnvelope], Problem | None]:
    """The API's check of an event a person records: a sanction whose authority is written
    otherwise than its policy writes it, or outside its policy, is refused with the reason
    before it reaches the log; any other event passes."""

    def check(event: EventEnvelope) -> Problem | None:
        if not isinstance(event.payload, SanctionImposed):
            return None
        now = dt.datetime.now(dt.UTC)  # the log records it after this, never before
        spelling = authority_refusal(policies, event.payload.authority, now, receipt=True)
        if spelling is not None:
            return _as_problem("authority_spelling", spelling, SanctionImposed)
        refusal = policy_refusal(policies, event.payload)
        return None if refusal is None else _as_problem("outside_policy", refusal, SanctionImposed)

    return check


def _as_problem(code: str, reason: str, model: type[SanctionImposed | SanctionAmended]) -> Problem:
    """The registry's reason as the receipt's field error: `payload.ends_on: …` is that
    field's; so is a policy's problem with one field (`payload: grounds: … not in …'s
    policy`)."""
    field, _, said = reason.partition(": ")
    name, colon, rest = said.partition(": ")
    if field == "payload" and colon and name in model.model_fields:
        return Problem(f"payload.{name}", rest, code)
    return Problem(field, said, code)
