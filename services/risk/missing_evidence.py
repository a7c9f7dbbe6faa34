"""A missing-certificates factor with its evidence, for the current score, without making and
encoding each ended contract's item again (pure).

A vendor's current score lists, under each missing-certificates factor, every contract it
ended without that certificate: thousands for the largest vendors, listed again whenever one
more ends (one contract awarded that ended before today is one more item, inserted among the
others by its end day). Made from scratch, every item was looked up by the contract's hash,
sorted, compared with the factor kept, and encoded to JSON again for its digest. Here each
contract's evidence and its JSON are kept per vendor and kind while the contract is the same
object (folding shares the items an event does not change), and the contract index gives the
ended contracts already in the factor's order (by end day, then id): the factor is its items
in that order, its points the index's count, its JSON their JSON joined.

Exact: the same Evidence and note as `scoring.missing_factor` (its `missing_evidence`), the
same order, the points added the same way (`ContractIndex.missing`), the same JSON as
factor_json.py writes of a factor's evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.events.compliance import CertificateKind
from services.risk.factor_json import WRITTEN, evidence_list, evidence_text
from services.risk.facts import ContractFact
from services.risk.risk_score import Evidence, Factor
from services.risk.scoring import missing_evidence


class MissingEvidence:
    """One vendor's missing-certificates factor of one kind, as last made."""

    def __init__(self, kind: CertificateKind) -> None:
        self._kind = kind
        self._points = 0.0
        # Per contract id: the contract it was made from, its evidence and that evidence's JSON.
        self._items: dict[str, tuple[ContractFact, Evidence, str]] = {}
        self._factor: Factor | None = None  # the last made, its JSON given to factor_json

    def factor(
        self, name: str, ended: Iterable[ContractFact], points: float, total: float
    ) -> Factor:
        """The factor of the `ended` contracts (in the index's order: by end day and id), each
        worth `points`, `total` in all (`ContractIndex.missing`); its JSON made here too."""
        if points != self._points:  # another model: other notes
            self._points, self._items, self._factor = points, {}, None
        kept, items, kind = self._items, {}, self._kind
        for contract in ended:
            found = kept.get(contract.contract_id)
            if found is None or found[0] is not contract:
                evidence = missing_evidence(contract, kind, points)
                found = (contract, evidence, evidence_text(evidence))
            items[contract.contract_id] = found
        self._items = items
        factor = Factor(name, total, tuple(evidence for _, evidence, _ in items.values()))
        if factor == self._factor:  # the same items (by identity, mostly): the object kept
            return self._factor
        WRITTEN.put(factor, evidence_list(text for _, _, text in items.values()))
        self._factor = factor
        return factor
