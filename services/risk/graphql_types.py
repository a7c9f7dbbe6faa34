"""The risk service's part of the GraphQL API: scores, their history, the riskiest vendors,
and live risk updates."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncGenerator
from typing import cast

import strawberry

from services.events.base import EventEnvelope
from services.events.emitted import RiskBand as RiskBandModel
from services.events.emitted import RiskChanged
from services.platform.graphql.context import ContextKey, Info
from services.platform.graphql.pagination import Connection, numeric_cursor, page_size
from services.risk import history as risk_history
from services.risk import repository
from services.risk.handlers import RiskService
from services.risk.scoring import RiskScore as RiskScoreModel

# The risk model in use, as loaded at startup (services/risk/setup.py).
RISK: ContextKey[RiskService] = ContextKey("risk.service")

RiskBand = strawberry.enum(RiskBandModel, name="RiskBand")
_BAND_ORDER = list(RiskBandModel)
MAX_PAGE = 500


@strawberry.type(description="Events behind a factor; for inherited risk, the subcontractor.")
class RiskEvidence:
    event_ids: list[strawberry.ID]
    note: str
    vendor_id: strawberry.ID | None


@strawberry.type(description="One part of a score: its points and the events that caused them.")
class RiskFactor:
    name: str
    contribution: float
    evidence: list[RiskEvidence]


@strawberry.type(description="A vendor's risk score (0–100) on a day, explained factor by factor.")
class RiskScore:
    vendor_id: strawberry.ID
    as_of: dt.date
    score: float
    band: RiskBand  # type: ignore[valid-type]
    model_version: str
    factors: list[RiskFactor]

    @classmethod
    def of(cls, vendor_id: str, as_of: dt.date, risk: RiskScoreModel) -> RiskScore:
        return cls(
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
                    ],
                )
                for f in risk.factors
            ],
        )


@strawberry.type(description="A significant move of a vendor's risk (band change or big step).")
class RiskUpdate:
    event_id: strawberry.ID
    vendor_id: strawberry.ID
    old_score: float | None
    new_score: float
    old_band: RiskBand | None  # type: ignore[valid-type]
    new_band: RiskBand  # type: ignore[valid-type]
    moved_factors: list[str]
    model_version: str

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
        )


async def risk_score_of(info: Info, vendor_id: str, as_of: dt.date | None) -> RiskScore:
    day = as_of or info.context.settings.clock.today()
    async with info.context.pool.acquire() as conn:
        risk = await info.context.part(RISK).evaluate(conn, vendor_id, day)
    return RiskScore.of(vendor_id, day, risk)


@strawberry.type
class RiskQuery:
    @strawberry.field(
        description="A vendor's risk on `asOf` (default: today), from everything recorded about"
        " it; past days answer as the score stood then."
    )
    async def risk_score(
        self, info: Info, vendor_id: strawberry.ID, as_of: dt.date | None = None
    ) -> RiskScore:
        return await risk_score_of(info, str(vendor_id), as_of)

    @strawberry.field(
        description="The vendor's score after each event that moved it, in log order."
    )
    async def risk_history(
        self, info: Info, vendor_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[RiskScore]:
        limit = page_size(first, MAX_PAGE)
        async with info.context.pool.acquire() as conn:
            entries = await risk_history.history(
                conn,
                info.context.part(RISK).model,
                str(vendor_id),
                numeric_cursor(after) or 0,
                limit + 1,
            )
            total = await repository.history_length(conn, str(vendor_id))
        pairs = [
            (str(seq), RiskScore.of(str(vendor_id), as_of, risk))
            for seq, as_of, risk in entries[:limit]
        ]
        return Connection.of_pairs(pairs, total, len(entries) > limit, after)

    @strawberry.field(
        description="Vendors by current score, highest first; only those with contracts of"
        " `agency` when given."
    )
    async def riskiest_vendors(
        self, info: Info, first: int = 20, agency: str | None = None
    ) -> list[RiskScore]:
        async with info.context.pool.acquire() as conn:
            ranked = await repository.riskiest(conn, page_size(first, MAX_PAGE), agency)
        return [RiskScore.of(v, as_of, risk) for v, as_of, risk in ranked]


@strawberry.type
class RiskSubscription:
    @strawberry.subscription(
        description="risk.changed as it happens: only these vendors when given, and only moves"
        " that reach or leave `minBand` or above when given."
    )
    async def risk_updates(
        self,
        info: Info,
        vendor_ids: list[strawberry.ID] | None = None,
        min_band: RiskBand | None = None,  # type: ignore[valid-type]
    ) -> AsyncGenerator[RiskUpdate, None]:
        wanted = {str(v) for v in vendor_ids} if vendor_ids else None
        floor = _BAND_ORDER.index(min_band) if min_band is not None else 0
        updates = info.context.broadcaster.events(RiskChanged.event_type, wanted, RiskUpdate.of)
        async with contextlib.aclosing(updates):  # unsubscribed when the client goes
            async for event, update in updates:
                payload = cast(RiskChanged, event.payload)
                bands = [payload.new_band, *([payload.old_band] if payload.old_band else [])]
                if max(_BAND_ORDER.index(b) for b in bands) >= floor:
                    yield update
