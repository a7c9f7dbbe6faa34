"""A score's factors as stored JSON (pure): each factor naming its evidence by the SHA-256 of
the evidence's JSON, the body kept apart (factor_storage.py stores it once), and the points
alone as a history row keeps them.

The JSON of a Factor object is made once: the factor memo hands back the same object while a
factor is unchanged (factor_memo.py), so it is cached by identity (the object held beside its
JSON, so that its id cannot be reused while cached). A factor whose evidence JSON its maker
already holds (missing_evidence.py: a large vendor's ended contracts, each encoded once) is
given it (`WRITTEN.put`) rather than having every item encoded again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from services.risk.risk_score import Evidence, Factor, RiskScore


@dataclass(frozen=True)
class Written:
    by_digest: str  # {"name", "contribution", "evidence_digest"}
    digest: str
    evidence: str  # the body: the evidence list as JSON


class WrittenFactors:
    def __init__(self, size: int = 1 << 14) -> None:
        self._size = size
        self._cache: OrderedDict[int, tuple[Factor, Written]] = OrderedDict()

    def of(self, factor: Factor) -> Written:
        found = self._cache.get(id(factor))
        if found is not None and found[0] is factor:
            self._cache.move_to_end(id(factor))
            return found[1]
        return self.put(factor, evidence_list(evidence_text(e) for e in factor.evidence))

    def put(self, factor: Factor, evidence: str) -> Written:
        """The factor as written, its evidence's JSON (`evidence_list`) given."""
        digest = hashlib.sha256(evidence.encode()).hexdigest()
        head = json.dumps(factor.name), json.dumps(factor.contribution)
        written = Written(
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


WRITTEN = WrittenFactors()


def evidence_list(texts: Iterable[str]) -> str:
    """The evidence list's JSON from its items' (`evidence_text`), as json.dumps of the list
    would write it (the digests of stored bodies stay valid)."""
    return "[" + ", ".join(texts) + "]"


# The same evidence recurs in every score of a vendor (its ended contracts, its incidents).
@functools.lru_cache(maxsize=1 << 16)
def evidence_text(evidence: Evidence) -> str:
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


# Every event writes a history row per vendor, and the same few combinations of points recur.
@functools.lru_cache(maxsize=1 << 14)
def _points_text(points: tuple[tuple[str, float], ...]) -> str:
    return json.dumps(
        [{"name": name, "contribution": contribution} for name, contribution in points],
        ensure_ascii=False,
    )


def factors_by_digest(score: RiskScore) -> tuple[str, dict[str, str]]:
    """The factors naming their evidence by digest, as a stored score keeps them, and the
    evidence bodies they name (digest → JSON)."""
    written = [WRITTEN.of(f) for f in score.factors]
    return "[" + ",".join(w.by_digest for w in written) + "]", {
        w.digest: w.evidence for w in written
    }
