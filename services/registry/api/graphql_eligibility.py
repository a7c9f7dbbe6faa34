"""Eligibility as the API shows it: whether a vendor may bid on a day and every sanction that
bars it, and the announced changes of eligibility (node and subscription item)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from services.events.base import EventEnvelope
from services.events.emitted import EligibilityChanged, EligibilityReasonRef
from services.events.sanction import SanctionKind as SanctionKindModel
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import described_enum
from services.platform.graphql.nodes import (
    Key,
    Node,
    in_key_order,
    logged_events,
)
from services.registry.domain import eligibility
from services.registry.domain.sanction_timeline import Decision

SanctionKind = described_enum(
    SanctionKindModel,
    name="SanctionKind",
    description="What a sanction does: bid suspension (入札参加停止) and debarment bar a vendor"
    " from bidding; a warning does not.",
    values={
        "BID_SUSPENSION": "The vendor may not bid while it applies (入札参加停止).",
        "DEBARMENT": "The vendor is excluded from bidding while it applies.",
        "WARNING": "A formal warning: recorded (and weighed in risk), but no bar on bidding.",
    },
)


@strawberry.type(description="A sanction barring the vendor, as a procurement officer sees it.")
class EligibilityReason:
    sanction_id: strawberry.ID = strawberry.field(description="The sanction that bars.")
    kind: SanctionKind = strawberry.field(  # type: ignore[valid-type]
        description="What kind of sanction it is."
    )
    authority: str = strawberry.field(description="Who imposed it, e.g. the city's procurement.")
    starts_on: dt.date = strawberry.field(
        description="First day the sanction applies; of an upcoming one, the first day it bars"
        " (at the agency and category asked)."
    )
    ends_on: dt.date | None = strawberry.field(
        description="Last day it bars (inclusive), counting every change recorded by then"
        " (a lift, an amendment, the end of an affiliation, dated later), as"
        " `eligibleAgainOn` does; null: no end."
    )
    bars_from: dt.date | None = strawberry.field(
        description="The first day of this bar, which lasts to `endsOn`: the sanction's first"
        " day, the affiliation's start (an affiliate's sanction reaching this vendor only"
        " from then), or the first day after a gap (then `resumed`); `startsOn` may be"
        " earlier. Of an upcoming one, `startsOn`. Null in live announcements and alerts."
    )
    resumed: bool | None = strawberry.field(
        description="True when this bar began after a gap: the sanction (or the affiliation"
        " it reaches this vendor through) barred before, then did not, until e.g. an"
        " amendment dated after its last day extended it; from `startsOn` to `endsOn` is then"
        " not one bar. Null in live announcements and alerts."
    )
    via_vendor_id: strawberry.ID | None = strawberry.field(
        description="The affiliate it was imposed on, when it reaches this vendor through one."
    )
    agencies: list[str] | None = strawberry.field(
        description="The agencies it bars the vendor at; null: every agency."
    )
    categories: list[str] | None = strawberry.field(
        description="The procurement categories it bars the vendor in; null: every category."
    )
    grounds: list[str] | None = strawberry.field(
        description="The policy grounds it was imposed on (null in live announcements)."
    )
    incident_ids: list[strawberry.ID] | None = strawberry.field(
        description="The incidents it answers (null in live announcements)."
    )
    decision_reason: str | None = strawberry.field(
        description="The authority's stated reason, when recorded."
    )

    @classmethod
    def of(cls, reason: eligibility.Reason) -> EligibilityReason:
        return cls.of_ref(reason, reason.decision)

    @classmethod
    def of_ref(
        cls, ref: EligibilityReasonRef | eligibility.Reason, decision: Decision | None = None
    ) -> EligibilityReason:
        """From an announcement's reason or the registry's own (their fields are the same);
        `decision` adds what only the registry keeps."""
        return cls(
            sanction_id=strawberry.ID(ref.sanction_id),
            kind=ref.kind,
            authority=ref.authority,
            starts_on=ref.starts_on,
            ends_on=ref.ends_on,
            bars_from=ref.bars_from if isinstance(ref, eligibility.Reason) else None,
            resumed=(
                ref.resumed
                if isinstance(ref, eligibility.Reason) and ref.bars_from is not None
                else None
            ),
            via_vendor_id=strawberry.ID(ref.via_vendor_id) if ref.via_vendor_id else None,
            agencies=list(ref.agencies) if ref.agencies is not None else None,
            categories=list(ref.categories) if ref.categories is not None else None,
            grounds=list(decision.grounds) if decision else None,
            incident_ids=[strawberry.ID(i) for i in decision.incident_ids] if decision else None,
            decision_reason=decision.reason if decision else None,
        )


BAR_FIELDS = frozenset({"barsFrom", "resumed"})


def bar_days_asked(info: Info) -> bool:
    """Whether the field being resolved selects a reason's `barsFrom` or `resumed` anywhere
    below it, directly or in a fragment: the registry works them out only then (they walk
    each barring sanction's changes, which a screen that does not show them need not do).
    One under @skip or @include counts as asked (worked out in vain, never missing)."""

    def asks(selections: list[Selection]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField) and selection.name in BAR_FIELDS:
                return True
            if asks(selection.selections):
                return True
        return False

    return asks(list(info.selected_fields))


@strawberry.type(description="Whether a vendor may bid on a date, and every reason if not.")
class BidEligibility:
    """Served from the registry's own answer (`eligibility.Eligibility`, whose attributes are
    these fields, the reasons aside): a screen of 5,000 bidders makes no object per bidder,
    and the reasons become GraphQL objects only when asked for."""

    vendor_id: strawberry.ID = strawberry.field(description="The vendor judged.")
    as_of: dt.date = strawberry.field(description="The day judged (a calendar day).")
    eligible: bool = strawberry.field(
        description="True when nothing bars the vendor from bidding on `asOf`."
    )
    eligible_again_on: dt.date | None = strawberry.field(
        description="First date the vendor is eligible again; null when eligible now or barred"
        " indefinitely."
    )

    @strawberry.field(description="Every sanction that bars the vendor on `asOf`.")
    @staticmethod
    def reasons(answer: strawberry.Parent[eligibility.Eligibility]) -> list[EligibilityReason]:
        return [EligibilityReason.of(r) for r in answer.reasons]

    @strawberry.field(
        description="Sanctions already recorded that will bar the vendor after `asOf`, each"
        " from the first day it bars; one of `reasons` too when it bars again after a gap"
        " (an extension dated later than the day after its last day). By the day each"
        " begins, the next first."
    )
    @staticmethod
    def upcoming(answer: strawberry.Parent[eligibility.Eligibility]) -> list[EligibilityReason]:
        return [EligibilityReason.of(r) for r in answer.upcoming]

    @strawberry.field(
        description="The sanctions of `upcoming` that keep the vendor barred past the end of"
        " `reasons` without a free day between, each from the first day it bars, in order:"
        " with `reasons`, what makes `eligibleAgainOn` (the day after the last one's"
        " `endsOn`). Empty when `reasons` alone make it."
    )
    @staticmethod
    def extended_by(
        answer: strawberry.Parent[eligibility.Eligibility],
    ) -> list[EligibilityReason]:
        return [EligibilityReason.of(r) for r in answer.extended_by]

    @staticmethod
    def of(answer: eligibility.Eligibility) -> BidEligibility:
        # The same attributes (vendor_id a str, as strawberry.ID is at run time).
        return cast(BidEligibility, answer)


@strawberry.type(description="A vendor became ineligible, eligible again, or barred for longer.")
class EligibilityChange(Node):
    event_id: strawberry.ID = strawberry.field(
        description="The `vendor.eligibility_changed` event announcing it."
    )
    vendor_id: strawberry.ID = strawberry.field(description="The vendor whose eligibility changed.")
    as_of: dt.date = strawberry.field(
        description="The day the change was judged on: the day it was recorded, or the"
        " calendar's. A sanction recorded after the day it starts bars from its reason's"
        " `startsOn`."
    )
    eligible: bool = strawberry.field(description="Whether the vendor may bid from `asOf`.")
    eligible_again_on: dt.date | None = strawberry.field(
        description="First date the vendor is eligible again; null when eligible now or barred"
        " indefinitely."
    )
    reasons: list[EligibilityReason] = strawberry.field(
        description="Every sanction that bars the vendor on `asOf` (empty when eligible)."
    )
    upcoming: list[EligibilityReason] = strawberry.field(
        description="Sanctions already recorded that will bar the vendor after `asOf`, each"
        " from the first day it bars: a change of these alone is a change too (a replacement"
        " chosen for a contract must not be under them). Empty in announcements made before"
        " they were said."
    )

    @classmethod
    def of(cls, event: EventEnvelope) -> EligibilityChange:
        payload = cast(EligibilityChanged, event.payload)
        return cls(
            event_id=strawberry.ID(str(event.event_id)),
            vendor_id=strawberry.ID(event.vendor_id),
            as_of=payload.as_of,
            eligible=payload.eligible,
            eligible_again_on=payload.eligible_again_on,
            reasons=[EligibilityReason.of_ref(r) for r in payload.reasons],
            upcoming=[EligibilityReason.of_ref(r) for r in payload.upcoming],
        )

    # The `vendor.eligibility_changed` event announcing it names it.
    node_key_names = ("eventId",)

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[EligibilityChange | None]:
        # Open to every role, as the `eligibilityChanges` subscription is.
        events = await logged_events(info, keys, {EligibilityChanged.event_type})
        return in_key_order({k: cls.of(e.envelope) for k, e in events.items()}, keys)
