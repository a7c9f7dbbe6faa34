"""The risk service's GraphQL objects: a score explained factor by factor, its evidence, a
significant move of a vendor's risk, and the band; the queries and the subscription that
answer them are graphql_types.py's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import cast

import strawberry

from services.events.base import EventEnvelope
from services.events.emitted import RiskBand as RiskBandModel
from services.events.emitted import RiskChanged
from services.platform.graphql.context import ContextKey, Info
from services.platform.graphql.descriptions import described_enum
from services.platform.graphql.errors import InvalidArgument
from services.platform.graphql.nodes import Key, Node, in_key_order, logged_events, uuid_part
from services.risk import scores_by_key
from services.risk.domain.risk_score import RiskScore as RiskScoreModel
from services.risk.evidence_scope import hidden_events
from services.risk.handlers import RiskService
from services.risk.scores_by_key import STORED, Registered, day_part

# The risk model in use, as loaded at startup (services/risk/setup.py).
RISK: ContextKey[RiskService] = ContextKey("risk.service")
# Which of these vendor ids the registry has registered (scores_by_key.Registered).
REGISTERED: ContextKey[Registered] = ContextKey("risk.registered")

RiskBand = described_enum(
    RiskBandModel,
    name="RiskBand",
    description="A score's band, by the risk model's lower bounds (model v1: medium from 20,"
    " high from 45, critical from 70; a score on a bound is in the higher band).",
    values={
        "LOW": "Below the medium bound.",
        "MEDIUM": "From the medium bound, below the high one.",
        "HIGH": "From the high bound, below the critical one.",
        "CRITICAL": "From the critical bound up.",
    },
)


@strawberry.type(description="Events behind a factor; for inherited risk, the subcontractor.")
class RiskEvidence:
    event_ids: list[strawberry.ID] = strawberry.field(
        description="The events behind this part of the factor (see `events`, `eventStatus`)."
    )
    note: str = strawberry.field(
        description="What they count for, in words a person can check them against."
    )
    vendor_id: strawberry.ID | None = strawberry.field(
        description="For inherited risk, the subcontractor whose events they are; null for the"
        " vendor's own."
    )


@strawberry.type(description="One part of a score: its points and the events that caused them.")
class RiskFactor:
    name: str = strawberry.field(
        description="The factor, as the risk model names it: incidents, inherited_incidents,"
        " active_sanctions, pending_claims, concentration, …"
    )
    contribution: float = strawberry.field(
        description="Points it adds to the score, to one decimal."
    )
    evidence: list[RiskEvidence] = strawberry.field(
        description="What caused the points. A system owner sees only the evidence on its own"
        " agencies' contracts and what hangs on them (and the evidence about the vendor alone,"
        " such as sanctions); the points are the factor's whole points all the same."
    )


@strawberry.type(description="A vendor's risk score (0–100) on a day, explained factor by factor.")
class RiskScore(Node):
    vendor_id: strawberry.ID = strawberry.field(description="The vendor scored.")
    as_of: dt.date = strawberry.field(description="The day scored (a calendar day).")
    score: float = strawberry.field(
        description="The score, 0–100, higher is riskier: the factors' points, to one decimal."
    )
    band: RiskBand = strawberry.field(  # type: ignore[valid-type]
        description="The score's band."
    )
    model_version: str = strawberry.field(
        description="The risk model that scored it: its version and a hash of its weights"
        ' ("1:ab12cd34").'
    )
    factors: list[RiskFactor] = strawberry.field(
        description="The factors behind the score, each with its points and evidence (a"
        " system owner's: only the evidence on its own agencies' records; see `evidence`)."
    )
    # An entry of the history: the event after which the score stood so (several events of
    # one day are several entries); None: the score of the day, as everything recorded says.
    event_id: strawberry.Private[str | None] = None
    # The vendor's current score as stored, as `riskiestVendors` ranks it: it may lag the
    # score of the same day computed when asked (`riskScore`; see ARCHITECTURE.md, "Scores
    # that other vendors' contracts move"), so it has an id of its own: one id never names
    # two scores, which a normalising client cache would merge into one object.
    stored: strawberry.Private[bool] = False

    node_key_names = ("vendorId", "asOf (or, in the history, eventId; ranked, asOf and stored)")

    def node_key(self) -> Key:
        if self.event_id is not None:
            return (self.vendor_id, self.event_id)
        day = self.as_of.isoformat()
        return (self.vendor_id, day, STORED) if self.stored else (self.vendor_id, day)

    @classmethod
    def node_key_valid(cls, key: Key) -> bool:
        match key:
            case (_, part):
                return day_part(part) is not None or uuid_part(part) is not None
            case (_, day, kind):
                return day_part(day) is not None and kind == STORED
        return False

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[RiskScore | None]:
        # Open to every role, as `riskScore`, `riskHistory` and `riskiestVendors` are.
        risk, registered = info.context.part(RISK), info.context.part(REGISTERED)
        async with info.context.pool.acquire() as conn:
            found = await scores_by_key.scores_named(info, conn, risk, registered, keys)
            hidden = await hidden_events(info, conn, (f.score for f in found.values()))
        shown = {
            key: cls.of(f.vendor_id, f.as_of, f.score, f.event_id, stored=f.stored, hidden=hidden)
            for key, f in found.items()
        }
        return in_key_order(shown, keys)

    @classmethod
    def of(
        cls,
        vendor_id: str,
        as_of: dt.date,
        risk: RiskScoreModel,
        event_id: str | None = None,
        *,
        stored: bool = False,
        hidden: frozenset[str] = frozenset(),
    ) -> RiskScore:
        """`hidden`: events the caller may not read of (`evidence_scope`): an evidence item
        behind any of them is left out, the factor's points kept."""
        return cls(
            event_id=event_id,
            stored=stored,
            vendor_id=strawberry.ID(vendor_id),
            as_of=as_of,
            score=risk.score,
            band=risk.band,
            model_version=risk.model_version,
            factors=[
                RiskFactor(
                    name=f.name,
                    contribution=f.contribution,
                    evidence=[
                        RiskEvidence(
                            event_ids=[strawberry.ID(i) for i in e.event_ids],
                            note=e.note,
                            vendor_id=strawberry.ID(e.vendor_id) if e.vendor_id else None,
                        )
                        for e in f.evidence
                        if hidden.isdisjoint(e.event_ids)
                    ],
                )
                for f in risk.factors
            ],
        )


@strawberry.type(description="A significant move of a vendor's risk (band change or big step).")
class RiskUpdate(Node):
    event_id: strawberry.ID = strawberry.field(description="The `risk.changed` event.")
    vendor_id: strawberry.ID = strawberry.field(description="The vendor whose risk moved.")
    old_score: float | None = strawberry.field(
        description="The score this vendor's last announcement gave (what the move is"
        " measured from: a move under the model's step is not announced); null for its first"
        " announcement, although `riskScore` may have scored it before."
    )
    new_score: float = strawberry.field(description="The score now (0–100).")
    old_band: RiskBand | None = strawberry.field(  # type: ignore[valid-type]
        description="The band of the vendor's last announcement; null for its first."
    )
    new_band: RiskBand = strawberry.field(  # type: ignore[valid-type]
        description="The band now."
    )
    moved_factors: list[str] = strawberry.field(
        description="Names of the factors whose points changed since the vendor's last"
        " announcement (`oldScore`; appearing or vanishing too); in its first (`oldScore`"
        " null), every factor with points, none having been announced before, not only those"
        " its last event moved."
    )
    model_version: str = strawberry.field(description="The risk model that scored it.")
    as_of: dt.date | None = strawberry.field(
        description="The day `newScore` is the score of: the risk service's today when it"
        " scored it (after an event, whose `riskHistory` entry is of the event's own day; in"
        " the daily refresh, the new day), so `riskScore(asOf:)` of that day gave it then;"
        " null for announcements made before the day was said."
    )

    @classmethod
    def of(cls, event: EventEnvelope) -> RiskUpdate:
        payload = cast(RiskChanged, event.payload)
        return cls(
            event_id=strawberry.ID(str(event.event_id)),
            vendor_id=strawberry.ID(event.vendor_id),
            old_score=payload.old_score,
            new_score=payload.new_score,
            old_band=payload.old_band,
            new_band=payload.new_band,
            moved_factors=list(payload.moved_factors),
            model_version=payload.model_version,
            as_of=payload.as_of,
        )

    # The `risk.changed` event announcing it names it.
    node_key_names = ("eventId",)

    def node_key(self) -> Key:
        return (str(self.event_id),)

    @classmethod
    async def resolve_nodes(cls, info: Info, keys: Sequence[Key]) -> list[RiskUpdate | None]:
        # Open to every role, as the `riskUpdates` subscription is.
        events = await logged_events(info, keys, {RiskChanged.event_type})
        return in_key_order({k: cls.of(e.envelope) for k, e in events.items()}, keys)


async def risk_score_of(
    info: Info, vendor_id: str, as_of: dt.date | None, *, registered: bool
) -> RiskScore:
    """The vendor's score on `as_of` (default: today). An id the registry never registered
    is refused, in `bidEligibility`'s words, rather than scored 0, LOW as a clean record
    would be; `registered`: the caller holds the vendor's row in the registry (a `Vendor`),
    so there is nothing to look up."""
    day = as_of or info.context.settings.clock.today()
    async with info.context.pool.acquire() as conn:
        if not registered and not await info.context.part(REGISTERED)(conn, [vendor_id]):
            raise InvalidArgument(f"vendorId: unknown vendor {vendor_id!r}")
        risk = await info.context.part(RISK).evaluate(conn, vendor_id, day)
        hidden = await hidden_events(info, conn, [risk])
    return RiskScore.of(vendor_id, day, risk, hidden=hidden)
