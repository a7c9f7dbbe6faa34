"""A vendor's contracts indexed by date, so that the contract factors' points on any day are
counts by bisection instead of a walk over every contract (pure).

Two factors read every contract on the record: the missing certificates (contracts ended
before the day without a certificate of a kind) and concentration (critical contracts running
on the day, per agency). A vendor winning its 2,000th contract would otherwise pay for 2,000
at each of its events, twice (its day, and today). The index keeps, per certificate kind, the
end days of the contracts without one, and per agency the start and end days of the critical
contracts, each sorted; an event changes one contract or one certificate, so it moves a few
entries (`update`). The points are the scoring rules' own (`scoring.py`), computed from the
counts: the same floats, added in the same order, so the same contributions.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat
from typing import TypeVar

from services.events.compliance import CertificateKind
from services.risk.domain.facts import ContractFact, VendorState
from services.risk.domain.model import RiskModel
from services.risk.domain.risk_score import round_points
from services.risk.domain.scoring import CRITICAL_CRITICALITIES

MISSING_KINDS = {
    "missing_erasure_certificates": CertificateKind.DATA_ERASURE,
    "missing_disposal_certificates": CertificateKind.MEDIA_DISPOSAL,
}


@dataclass
class ContractIndex:
    # Per kind: (end day, contract id) of the vendor's contracts without such a certificate.
    uncovered: dict[CertificateKind, list[tuple[dt.date, str]]] = field(default_factory=dict)
    # Per agency: the start days and the end days of the vendor's critical contracts.
    starts: dict[str, list[dt.date]] = field(default_factory=dict)
    ends: dict[str, list[dt.date]] = field(default_factory=dict)
    # How many of the vendor's certificates of a kind name a contract.
    covers: Counter[tuple[str, CertificateKind]] = field(default_factory=Counter)

    @classmethod
    def of(cls, state: VendorState) -> ContractIndex:
        index = cls()
        index.covers.update((c.contract_id, c.kind) for c in state.certificates.values())
        for contract in state.contracts.values():
            index._add(contract)
        return index

    def copy(self) -> ContractIndex:
        return ContractIndex(
            {kind: list(entries) for kind, entries in self.uncovered.items()},
            {agency: list(days) for agency, days in self.starts.items()},
            {agency: list(days) for agency, days in self.ends.items()},
            Counter(self.covers),
        )

    def update(self, before: VendorState, after: VendorState, item: str) -> None:
        """After one event about `item` ("kind:id") moved the state from `before` to `after`."""
        kind, _, item_id = item.partition(":")
        if kind == "contract":
            old_contract, new_contract = before.contracts.get(item_id), after.contracts.get(item_id)
            if old_contract is not None:
                self._remove(old_contract)
            if new_contract is not None:
                self._add(new_contract)
        elif kind == "certificate":
            old, new = before.certificates.get(item_id), after.certificates.get(item_id)
            if old == new:
                return
            named = {c.contract_id for c in (old, new) if c is not None}
            for contract_id in named:  # out with the coverage before
                if (contract := before.contracts.get(contract_id)) is not None:
                    self._remove(contract)
            if old is not None:
                self.covers[(old.contract_id, old.kind)] -= 1
            if new is not None:
                self.covers[(new.contract_id, new.kind)] += 1
            for contract_id in named:  # in with the coverage after
                if (contract := after.contracts.get(contract_id)) is not None:
                    self._add(contract)

    def missing(self, kind: CertificateKind, as_of: dt.date, points: float) -> float:
        """The contribution of the contracts ended before `as_of` without a `kind` certificate."""
        return round_points(sum(repeat(points, self._ended(kind, as_of))))

    def ended(self, kind: CertificateKind, as_of: dt.date) -> list[str]:
        """The ids of the contracts ended before `as_of` without a `kind` certificate, by end
        day and id (the missing-certificates factor's evidence, without a walk over every
        contract)."""
        return [
            contract_id
            for _, contract_id in self.uncovered.get(kind, [])[: self._ended(kind, as_of)]
        ]

    def _ended(self, kind: CertificateKind, as_of: dt.date) -> int:
        return bisect.bisect_left(self.uncovered.get(kind, []), (as_of, ""))

    def concentration(self, as_of: dt.date, model: RiskModel, totals: Mapping[str, int]) -> float:
        """The contribution of the vendor's largest share of one agency's critical contracts.

        Asked for every score: one pass over the agencies, no dictionary nor list made (only
        the largest share's value counts, not which agency has it)."""
        weights = model.concentration
        best, ends = 0.0, self.ends
        for agency in self.starts:
            count = bisect.bisect_right(self.starts[agency], as_of) - bisect.bisect_left(
                ends[agency], as_of
            )
            if count > 0 and (total := max(totals.get(agency, 0), count)) >= weights.min_contracts:
                best = max(best, count / total)
        return round_points(weights.points * best) if best else 0.0

    def _covered(self, contract: ContractFact, kind: CertificateKind) -> bool:
        return self.covers[(contract.contract_id, kind)] > 0

    def _add(self, contract: ContractFact) -> None:
        for kind in MISSING_KINDS.values():
            if not self._covered(contract, kind):
                bisect.insort(self.uncovered.setdefault(kind, []), _end(contract))
        if contract.criticality in CRITICAL_CRITICALITIES:
            bisect.insort(self.starts.setdefault(contract.agency, []), contract.starts_on)
            bisect.insort(self.ends.setdefault(contract.agency, []), contract.ends_on)

    def _remove(self, contract: ContractFact) -> None:
        for kind in MISSING_KINDS.values():
            if not self._covered(contract, kind):
                _discard(self.uncovered[kind], _end(contract))
        if contract.criticality in CRITICAL_CRITICALITIES:
            _discard(self.starts[contract.agency], contract.starts_on)
            _discard(self.ends[contract.agency], contract.ends_on)


def _end(contract: ContractFact) -> tuple[dt.date, str]:
    return contract.ends_on, contract.contract_id


T = TypeVar("T", dt.date, tuple[dt.date, str])


def _discard(entries: list[T], entry: T) -> None:
    at = bisect.bisect_left(entries, entry)  # present: it was added with the same value
    del entries[at]


class IndexMemo:
    """The index of each vendor's state as this process left it: a batch starting from that
    same state object (state_storage reuses it) takes a copy instead of building one."""

    def __init__(self, vendors: int = 4096) -> None:
        self._vendors = vendors
        self._kept: OrderedDict[str, tuple[VendorState, ContractIndex]] = OrderedDict()

    def of(self, state: VendorState) -> ContractIndex:
        kept = self._kept.get(state.vendor_id)
        if kept is not None and kept[0] is state:
            return kept[1].copy()  # a batch that fails must not leave its changes here
        return ContractIndex.of(state)

    def keep(self, state: VendorState, index: ContractIndex) -> None:
        self._kept[state.vendor_id] = (state, index)
        self._kept.move_to_end(state.vendor_id)
        if len(self._kept) > self._vendors:
            self._kept.popitem(last=False)
