"""Whether a vendor is barred at an agency, read from the registry's last announcement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.events.emitted import EligibilityReasonRef, barring_at
from services.events.migration import MigrationTrigger
from services.events.sanction import SanctionKind
from services.migration.planning.model import ReplacementBar


def describe(
    reasons: Sequence[EligibilityReasonRef], agency: str, category: str | None = None
) -> str | None:
    """Why the vendor may not take work at `agency` (of `category`, when named), in a line;
    None when nothing bars it."""
    return _said(barring_at(reasons, agency, category))


def replacement_problem(
    reasons: Sequence[EligibilityReasonRef],
    upcoming: Sequence[EligibilityReasonRef],
    agency: str,
    category: str | None,
) -> str | None:
    """Why a vendor chosen to take over a contract of `category` at `agency` may not (None:
    it may): a sanction barring it there now, or one already recorded to bar it there later
    (`chooseReplacementVendor` refuses both, `barred_later` the second: the contract moved
    to it would have to move again), and the first day it may bid there again through
    every bar that follows without a gap. Each sanction says only its own end, so a short
    one today followed by a longer one recorded later read as if the vendor were free after
    the first."""
    now = barring_at(reasons, agency, category)
    later = barring_at(upcoming, agency, category)
    if not now and not later:
        return None
    parts = [_said(now)] if now else []
    if later:
        parts.append(f"to come: {_said(later)}")
    free = eligible_again_on(now, later)
    parts.append(
        f"eligible here again on {free}" if free is not None else "not eligible here again"
    )
    return "; ".join(part for part in parts if part)


def replacement_bar(
    vendor_id: str,
    reasons: Sequence[EligibilityReasonRef],
    upcoming: Sequence[EligibilityReasonRef],
    agency: str,
    category: str | None,
) -> ReplacementBar | None:
    """Until when the bars that `replacement_problem` names keep a vendor chosen to take over
    a contract of `category` at `agency` from it (None: nothing bars it there): the last day
    of the last of them, every bar in force or recorded to come counted, with a gap between
    them or not. Not `eligible_again_on`, which is the first free day: moved to the vendor in
    a gap, the contract runs into the next bar and would have to move again."""
    barring = [*barring_at(reasons, agency, category), *barring_at(upcoming, agency, category)]
    if not barring:
        return None
    ends = [r.ends_on for r in barring]
    last = None if None in ends else max(day for day in ends if day is not None)
    return ReplacementBar(vendor_id, last)


def eligible_again_on(
    now: Sequence[EligibilityReasonRef], later: Sequence[EligibilityReasonRef]
) -> dt.date | None:
    """The first day none of these bars holds (None: one has no end), from the bars in force
    now (`now`, each ending on its `ends_on`) and those to come, each from its `starts_on`:
    the first bar's end carried on through every bar that begins by the day after it."""
    ahead = sorted(later, key=lambda r: r.starts_on)
    if not now:
        if not ahead:
            return None
        now, ahead = ahead[:1], ahead[1:]
    ends = [r.ends_on for r in now]
    if None in ends:
        return None
    last = max(day for day in ends if day is not None)
    for reason in ahead:
        if reason.starts_on > last + dt.timedelta(days=1):
            break  # a gap: free on the day after `last`
        if reason.ends_on is None:
            return None
        last = max(last, reason.ends_on)
    return last + dt.timedelta(days=1)


@dataclass(frozen=True)
class BarToCome:
    """What sanctions already recorded will bar a plan's own vendor from at its agency before
    contracts it still holds end: in a replacement's words with those contracts (`said`), and
    apart, for a reader that shows them its own way: the bars, each from the first day it bars,
    in the order they begin, and the contracts' ids, sorted."""

    said: str
    reasons: tuple[EligibilityReasonRef, ...]
    contracts: tuple[str, ...]


def barred_later(
    upcoming: Sequence[EligibilityReasonRef],
    agency: str,
    contracts: Sequence[tuple[str, str | None, dt.date]],
) -> BarToCome | None:
    """What a sanction already recorded will bar the vendor from at `agency` before these
    contracts (id, category, last day) end, in a replacement's words (`replacement_problem`),
    with the contracts that run into it; None when nothing recorded does. A plan's look-ahead
    at its own vendor: free to bid today, it still may not keep a contract a bar begins
    under (one begun after a contract's end leaves it be)."""
    reaching: list[EligibilityReasonRef] = []
    into: list[str] = []
    for contract_id, category, ends_on in contracts:
        hit = [r for r in barring_at(upcoming, agency, category) if r.starts_on <= ends_on]
        if hit:
            into.append(contract_id)
            reaching += [r for r in hit if r not in reaching]
    said = replacement_problem([], reaching, agency, None)
    if said is None:
        return None
    return BarToCome(
        said=f"{said}; {', '.join(sorted(into))} run into it",
        reasons=tuple(sorted(reaching, key=_begins)),
        contracts=tuple(sorted(into)),
    )


def plan_reason(
    reasons: Sequence[EligibilityReasonRef], agency: str, categories: Sequence[str | None]
) -> tuple[str, MigrationTrigger] | None:
    """What an automatic plan at `agency` holding contracts of `categories` (a plan without
    any: `[None]`) says of why it exists, and its trigger: the reasons that bar the vendor
    there from any of them, not a sanction of other categories. None when none does."""
    barring = _barring_plan(reasons, agency, categories)
    said = _said(barring)
    return (said, trigger(barring)) if said is not None else None


def _barring_plan(
    reasons: Sequence[EligibilityReasonRef], agency: str, categories: Sequence[str | None]
) -> list[EligibilityReasonRef]:
    """The reasons that bar the vendor at `agency` from any of `categories`."""
    return [
        reason
        for reason in barring_at(reasons, agency)
        if any(barring_at([reason], agency, category) for category in categories)
    ]


def free_again(vendor_id: str, agency: str, as_of: dt.date, was: str) -> str:
    """What an automatic plan says of why it exists once nothing bars its vendor at its agency
    from its contracts (a sanction lifted or ended): that, since when, and what barred it
    (`was`, the plan's reason until then, or `ended_bars`'s words of it). Kept, that reason
    read as a bar in force, beside a plan whose vendor may bid again."""
    return f"nothing bars {vendor_id} at {agency} since {as_of}; barred before by: {was}"


def ended_bars(
    before: Sequence[EligibilityReasonRef],
    agency: str,
    categories: Sequence[str | None],
    as_of: dt.date,
) -> str | None:
    """What barred the vendor at `agency` from contracts of `categories` (`before`: the
    registry's previous announcement), as a plan says it once the vendor is free there as of
    `as_of`: each bar that had not run its course by then "ended early" (a lift, an
    amendment, an affiliation ended: the announcement does not say which), where the plan's
    reason went on giving the end it had been announced with. None when none barred there."""
    return _said(_barring_plan(before, agency, categories), ended_as_of=as_of)


def _said(
    barring: Sequence[EligibilityReasonRef], ended_as_of: dt.date | None = None
) -> str | None:
    """The reasons, each with its own end, in the order they began (the same text whatever
    order an announcement lists them in). Not the registry's eligible-again day: it is the
    vendor's, which a sanction elsewhere, or one recorded to begin later, may set after the
    end of what bars the vendor here. `ended_as_of`: the day none of them bars any more,
    said of each whose end had not come by then."""
    if not barring:
        return None
    parts = []
    for reason in sorted(barring, key=_begins):
        text = f"{reason.kind.value.replace('_', ' ')} {reason.sanction_id} by {reason.authority}"
        text += f" from {reason.starts_on}"
        text += f" until {reason.ends_on}" if reason.ends_on else " indefinitely"
        if reason.categories is not None:
            text += f" (categories: {', '.join(reason.categories)})"
        if reason.via_vendor_id:
            text += f" (via affiliate {reason.via_vendor_id})"
        if ended_as_of is not None and (reason.ends_on is None or reason.ends_on >= ended_as_of):
            text += f", ended early: not barring here as of {ended_as_of}"
        parts.append(text)
    return "; ".join(parts)


def _begins(reason: EligibilityReasonRef) -> tuple[dt.date, str, str]:
    """The order bars are said in: as they begin (the same whatever order they came in)."""
    return (reason.starts_on, reason.sanction_id, reason.via_vendor_id or "")


def trigger(reasons: Sequence[EligibilityReasonRef]) -> MigrationTrigger:
    if any(r.kind is SanctionKind.DEBARMENT for r in reasons):
        return MigrationTrigger.DEBARMENT
    return MigrationTrigger.SUSPENSION
