"""How scores are stored: a factor's evidence once however many scores it stands in.

A vendor with a thousand running contracts lists them under `concentration` in every score;
written into every history row, that made each of its events cost what its record weighs, in
PostgreSQL even more than here. A history row names each factor's evidence by the SHA-256 of
its JSON instead (table `risk_factor_bodies`), and a batch stores the bodies not stored yet.
Current and announced scores name theirs the same way (their JSON: factor_json.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import asyncpg

from services.events.emitted import RiskBand
from services.platform.database import Connection
from services.risk.risk_score import Evidence, Factor, RiskScore


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
        for f in json.loads(r["factors"])
        if "evidence_digest" in f  # history rows since keep points only (history.py)
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
