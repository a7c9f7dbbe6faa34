"""What a caller sees of a score's evidence: a system owner only the evidence hanging on its
own agencies' contracts, as it sees only those records (platform/security/access.py); the
score and each factor's points stay whole, since the score is the vendor's, not an agency's.
The history's entries caused by events it may not read of are not shown to it either
(history_page.py).

Risk holds facts, not whose agency a record is: the gateway, which composes the services,
gives the registry's answer (`HIDDEN_EVIDENCE`), as it gives which vendors are registered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from services.platform.graphql.context import ContextKey, Info
from services.platform.postgres.database import Connection
from services.platform.security.access import agencies_in_view
from services.risk.domain.risk_score import RiskScore

# Which of these events name a record of an agency not among these (its contract's, for a
# subcontract, an incident or a claim on one): an evidence item naming one is not shown.
OutOfView = Callable[[Connection, Sequence[str], Sequence[str]], Awaitable[set[str]]]
HIDDEN_EVIDENCE: ContextKey[OutOfView] = ContextKey("risk.hidden_evidence")


async def hidden_of(info: Info, conn: Connection, event_ids: Iterable[str]) -> frozenset[str]:
    """Those of these events the caller may not read of (none, and no look-up, for a caller
    who sees every agency)."""
    agencies = agencies_in_view(info.context.principal)
    if agencies is None:
        return frozenset()
    ids = sorted(set(event_ids))
    if not ids:
        return frozenset()
    return frozenset(await info.context.part(HIDDEN_EVIDENCE)(conn, agencies, ids))


async def hidden_events(
    info: Info, conn: Connection, scores: Iterable[RiskScore]
) -> frozenset[str]:
    """The events behind these scores' evidence that the caller may not read of."""
    return await hidden_of(
        info, conn, (i for s in scores for f in s.factors for e in f.evidence for i in e.event_ids)
    )
