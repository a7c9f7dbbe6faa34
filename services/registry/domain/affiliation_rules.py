"""Why the registry refuses an affiliation change (pure): what it names must be able to stand.

A vendor named its own affiliate is refused whatever the log holds (`own_affiliate`, in the
handler for every event, and by the receipt always: `own_affiliate_check`, nothing read).

A sanction covering affiliates reaches the vendors related to its vendor, so a relation
naming a vendor nobody registered, the end of a relation that never stood, and a parent
named its own subsidiary's subsidiary were each recorded as a decision the register's
readers then read (found by exploratory testing). The registry refuses, for events recorded
from the rules of 2026-12-07 on (later_rules), in its handler (`handlers.affiliation_changed`):

- a related vendor it does not know (`unknown_vendor`): as for an incident's causer
  (reference_rules), it counts as known when registered, or when the log recorded its
  registration no later than the change, since it travels in another partition;
- the end of a relation that does not stand on the day it is dated, or stands the other way
  round (`not_affiliated`);
- a relation added the other way round from one standing on its day (`affiliation_cycle`):
  a parent controls its subsidiary, so neither can be the other's parent as well. The event
  model knows parents and subsidiaries only, no symmetric kind, so every reversal is one;
- a relation added as it stands already (`no_change`): the log would hold a second decision
  that changed nothing (`affiliations.periods_by_pair` reads it so).

The pair's changes are judged as the log holds them up to the change (`storage` reads the
pair's changes the log recorded no later than it, less those the registry refused), not as
the registry holds them: the two vendors' changes travel in two partitions, so the registry
may apply one recorded later first. A cycle through three vendors or more is left standing:
reach is one level deep (`affiliations.py`), and finding one would read the whole graph of
relations for every change. The API's receipt asks the same rule, of the log as it stands
(`reads/affiliation_changes.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.vendor import AffiliationChange, AffiliationRelation, VendorAffiliationChanged
from services.registry.domain.known_vendors import unknown_vendor_refusal
from services.registry.domain.refusals import Refusal, problem


@dataclass(frozen=True, slots=True)
class Link:
    """A change of a parent/subsidiary relation, said the one way whichever vendor stated it."""

    parent: str
    subsidiary: str
    change: AffiliationChange
    effective_on: dt.date


def link_of(
    vendor_id: str,
    related_vendor_id: str,
    relation: AffiliationRelation,
    change: AffiliationChange,
    effective_on: dt.date,
) -> Link:
    """The change a vendor states of its relation to `related_vendor_id`."""
    if relation is AffiliationRelation.PARENT:
        return Link(related_vendor_id, vendor_id, change, effective_on)
    return Link(vendor_id, related_vendor_id, change, effective_on)


def standing(links: Iterable[Link], day: dt.date) -> Link | None:
    """The relation standing between a pair on `day`, from its changes in effective order (a
    stable sort: those of one day in the order recorded), as `affiliations.periods_by_pair`
    reads them: an addition to a standing relation, or a removal of none, changes nothing."""
    now: Link | None = None
    for link in sorted(links, key=lambda c: c.effective_on):
        if link.effective_on > day:
            break
        if link.change is AffiliationChange.ADDED and now is None:
            now = link
        elif link.change is AffiliationChange.REMOVED and now is not None:
            now = None
    return now


def own_affiliate_refusal(vendor_id: str, payload: VendorAffiliationChanged) -> Refusal | None:
    """Why a change naming `vendor_id` its own affiliate is refused; None for another vendor."""
    if payload.related_vendor_id == vendor_id:
        return "own_affiliate", "payload.related_vendor_id: a vendor cannot be its own affiliate"
    return None


def own_affiliate_check(event: EventEnvelope) -> Problem | None:
    """The API's check of an event a person records: an affiliation change naming its own
    vendor is refused in the receipt, as the registry refuses it, rather than accepted there
    and dead-lettered after; any other event passes."""
    payload = event.payload
    if not isinstance(payload, VendorAffiliationChanged):
        return None
    return problem(own_affiliate_refusal(event.vendor_id, payload))


def affiliation_refusal(
    vendor_id: str,
    payload: VendorAffiliationChanged,
    related_known: bool,
    pair: Iterable[Link],
) -> Refusal | None:
    """Why a change by `vendor_id` is refused, given whether its related vendor is known and
    the pair's earlier changes (`pair`); its code and reason, or None."""
    related = payload.related_vendor_id
    if not related_known:
        return unknown_vendor_refusal(related, "payload.related_vendor_id")
    link = link_of(vendor_id, related, payload.relation, payload.change, payload.effective_on)
    day = payload.effective_on
    now = standing(pair, day)
    said = None if now is None else f"{now.parent!r} is the parent of {now.subsidiary!r} on {day}"
    same_way = now is not None and (now.parent, now.subsidiary) == (link.parent, link.subsidiary)
    if payload.change is AffiliationChange.REMOVED:
        if now is None:
            return "not_affiliated", (
                f"payload.change: {vendor_id!r} and {related!r} are not affiliated on {day};"
                " there is no relation to remove"
            )
        if not same_way:
            return "not_affiliated", (
                f"payload.relation: {said}, not the other way round; remove it as it stands"
            )
        return None
    if now is None:
        return None
    if same_way:
        return "no_change", f"payload: {said} already; the change would change nothing"
    return "affiliation_cycle", (
        f"payload.relation: {said}; a vendor cannot be the parent of its own parent"
    )
