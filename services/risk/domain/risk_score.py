"""What a risk score is (pure): its factors, each with its contribution and the evidence behind
it, the total capped at 100 with its band, and when a new score is worth announcing.

How each factor is computed from a vendor's facts is scoring.py's business; this module is
what every reader of a score shares (history, storage, the API, announcements).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.events.emitted import RiskBand
from services.risk.domain.model import RiskModel, model_fingerprint

# Stable: dashboards and `risk.changed` events use them (scoring.py says what each counts).
FACTOR_NAMES: tuple[str, ...] = (
    "incidents",
    "inherited_incidents",
    "active_sanctions",
    "recent_sanctions",
    "unapproved_subcontracting",
    "subcontract_chain_depth",
    "missing_erasure_certificates",
    "missing_disposal_certificates",
    "missing_fitness_documents",
    "pending_claims",
    "concentration",
)

MAX_SCORE = 100.0


@dataclass(frozen=True)
class Evidence:
    """The events behind (part of) a factor, and a note a person can check them against.

    `vendor_id` links another vendor: the subcontractor whose incident the vendor inherits, or
    a subcontract's subcontractor, or the prime contractor whose record holds the incident.
    """

    event_ids: tuple[str, ...]
    note: str
    vendor_id: str | None = None


@dataclass(frozen=True)
class Factor:
    name: str
    contribution: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class RiskScore:
    score: float
    band: RiskBand
    model_version: str  # the model's fingerprint, "<version>:<hash>"
    factors: tuple[Factor, ...]

    def factor(self, name: str) -> Factor | None:
        """The factor of that name, or None when it contributes nothing."""
        return next((f for f in self.factors if f.name == name), None)

    def contribution(self, name: str) -> float:
        found = self.factor(name)
        return 0.0 if found is None else found.contribution


@functools.lru_cache(maxsize=65536)
def round_points(points: float) -> float:
    """Points to one decimal, halves rounded up (14.45 → 14.5), as a person would.

    Remembered: scores repeat the same few sums, and Decimal is slow."""
    return float(Decimal(repr(points)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def band_of(score: float, model: RiskModel) -> RiskBand:
    bands = model.bands
    if score >= bands.critical:
        return RiskBand.CRITICAL
    if score >= bands.high:
        return RiskBand.HIGH
    if score >= bands.medium:
        return RiskBand.MEDIUM
    return RiskBand.LOW


def should_announce(old: RiskScore | None, new: RiskScore, model: RiskModel) -> bool:
    """Whether `new` deserves a `risk.changed` event after `old` (None: the first score)."""
    if old is None:
        return new.band is not RiskBand.LOW
    if new.band is not old.band:
        return True
    return round_points(abs(new.score - old.score)) >= model.announce_min_step


def moved_factors(old: RiskScore | None, new: RiskScore) -> list[str]:
    """Names of the factors whose contribution changed since `old`, the vendor's last
    announcement (appearing or vanishing included); for its first (None), every factor with
    points: measured from what `old_score` says, as a subscriber reads them, not from scores
    never announced (the score before the event may have had those points already)."""
    # Each score's contributions by name once, not a search through its factors per name.
    before = {} if old is None else {f.name: f.contribution for f in old.factors}
    after = {f.name: f.contribution for f in new.factors}
    return [name for name in FACTOR_NAMES if before.get(name, 0.0) != after.get(name, 0.0)]


def total_of(factors: Iterable[Factor], model: RiskModel) -> RiskScore:
    """The score the factors make: the contributions added, capped at MAX_SCORE."""
    kept = tuple(f for f in factors if f.contribution > 0)
    total = min(MAX_SCORE, round_points(sum(f.contribution for f in kept)))
    return RiskScore(total, band_of(total, model), model_fingerprint(model), kept)
