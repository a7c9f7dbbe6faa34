"""How scores are stored: factors as JSON, and a factor's evidence once however many history
rows it stands in.

A vendor with a thousand running contracts lists them under `concentration` in every score;
written into every history row, that made each of its events cost what its record weighs, in
PostgreSQL even more than here. A history row names each factor's evidence by the SHA-256 of
its JSON instead (table `risk_factor_bodies`), and a batch stores the bodies not stored yet.
Announced scores, and the current scores the daily refresh writes, name theirs the same way
(those the consumer writes keep points and totals, as history rows do: current_scores.py).

The JSON of a Factor object is made once: the factor memo hands back the same object while a
factor is unchanged (factor_memo.py), so it is cached by identity (the object held beside its
JSON, so that its id cannot be reused while cached).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.events.emitted import RiskBand
from services.platform.postgres.database import Connection
from services.risk.domain.risk_score import Evidence, Factor, RiskScore


@dataclass(frozen=True)
class _Written:
    by_digest: str  # {"name", "contribution", "evidence_digest"}
    digest: str
    evidence: str  # the body: the evidence list as JSON


class _WrittenFactors:
    def __init__(self, size: int = 1 << 14) -> None:
        self._size = size
        self._cache: OrderedDict[int, tuple[Factor, _Written]] = OrderedDict()

    def of(self, factor: Factor) -> _Written:
        found = self._cache.get(id(factor))
        if found is not None and found[0] is factor:
            self._cache.move_to_end(id(factor))
            return found[1]
        # As json.dumps of the list would write it (the digests of stored bodies stay valid).
        evidence = "[" + ", ".join(_evidence_text(e) for e in factor.evidence) + "]"
        digest = hashlib.sha256(evidence.encode()).hexdigest()
        head = json.dumps(factor.name), json.dumps(factor.contribution)
        written = _Written(
            by_digest=(
                f'{{"name": {head[0]}, "contribution": {head[1]}, "evidence_digest": "{digest}"}}'
            ),
            digest=digest,
            evidence=evidence,
        )
        self._cache[id(factor)] = (factor, written)
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return written


_WRITTEN = _WrittenFactors()


# The same evidence recurs in every score of a vendor (its ended contracts, its incidents).
@functools.lru_cache(maxsize=1 << 16)
def _evidence_text(evidence: Evidence) -> str:
    return json.dumps(
        {
            "event_ids": list(evidence.event_ids),
            "note": evidence.note,
            "vendor_id": evidence.vendor_id,
        },
        ensure_ascii=False,
    )


def points_json(score: RiskScore) -> str:
    """The factors' points without their evidence, as a history row keeps them."""
    return _points_text(tuple((f.name, f.contribution) for f in score.factors))


# A batch writes a current score per vendor it touched, and few combinations of points recur.
@functools.lru_cache(maxsize=1 << 14)
def _points_text(points: tuple[tuple[str, float], ...]) -> str:
    return json.dumps(
        [{"name": name, "contribution": contribution} for name, contribution in points],
        ensure_ascii=False,
    )


def factors_by_digest(score: RiskScore) -> tuple[str, dict[str, str]]:
    """The factors naming their evidence by digest, as a stored score keeps them, and the
    evidence bodies they name (digest → JSON)."""
    written = [_WRITTEN.of(f) for f in score.factors]
    return "[" + ",".join(w.by_digest for w in written) + "]", {
        w.digest: w.evidence for w in written
    }


async def store_bodies(conn: Connection, bodies: Mapping[str, str]) -> None:
    """Stores the evidence bodies not stored yet (two statements, whatever their number)."""
    if not bodies:
        return
    stored = await conn.fetch(
        "SELECT digest FROM risk_factor_bodies WHERE digest = ANY($1::text[])", list(bodies)
    )
    new = sorted(set(bodies) - {r["digest"] for r in stored})
    if new:
        await conn.execute(
            """INSERT INTO risk_factor_bodies (digest, evidence)
               SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT DO NOTHING""",
            new,
            [bodies[digest] for digest in new],
        )


async def load_bodies(conn: Connection, digests: Collection[str]) -> dict[str, list[Any]]:
    rows = await conn.fetch(
        "SELECT digest, evidence::text AS evidence FROM risk_factor_bodies"
        " WHERE digest = ANY($1::text[])",
        list(digests),
    )
    return {r["digest"]: json.loads(r["evidence"]) for r in rows}


def digests_named(rows: Iterable[asyncpg.Record]) -> set[str]:
    """The evidence digests that stored scores name."""
    return {
        f["evidence_digest"]
        for r in rows
        if r["factors"] is not None  # history rows since keep no points (history.py)
        for f in json.loads(r["factors"])
        if "evidence_digest" in f  # nor evidence: points only, before that
    }


def score_of(row: asyncpg.Record, bodies: Mapping[str, list[Any]]) -> RiskScore:
    """A stored score, its factors' evidence taken from `bodies` (load_bodies)."""
    return _score(row, lambda f: bodies[f["evidence_digest"]])


def decided_of(row: asyncpg.Record) -> RiskScore:
    """A stored score as far as deciding an announcement goes (score, band, each factor's
    contribution), its evidence not loaded: the factors' evidence is empty."""
    return _score(row, lambda _: [])


def _score(row: asyncpg.Record, evidence_of: Callable[[dict[str, Any]], list[Any]]) -> RiskScore:
    factors: list[dict[str, Any]] = json.loads(row["factors"])
    return RiskScore(
        score=row["score"],
        band=RiskBand(row["band"]),
        model_version=row["model_version"],
        factors=tuple(
            Factor(
                name=f["name"],
                contribution=f["contribution"],
                evidence=tuple(
                    Evidence(tuple(e["event_ids"]), e["note"], e["vendor_id"])
                    for e in evidence_of(f)
                ),
            )
            for f in factors
        ),
    )
