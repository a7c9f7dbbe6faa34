"""A deterministic workload spread evenly over many vendors, for tests that compare two runs.

Every vendor has a history of the same length (`EVENTS_PER_VENDOR`): its registration, five
contracts, two incidents reported on them (the first investigated, then closed), and for one
vendor in `SANCTIONED_EVERY` a sanction instead of the fifth contract. No vendor's record grows
long: the risk service's per-event cost still grows with a vendor's record, and a test of
crashes should not turn into a test of that (tests/support/workload.py, with its long-tailed
contracts, is the benchmarks' realistic registry).

Two choices make the outcome independent of how partitions interleave, so that a run may be
compared effect for effect with another (embedded against distributed, crashed against not):

- every contract is internal: the risk factor `concentration` weighs a vendor's share of an
  agency's resident-facing and legally mandated contracts, counted over every vendor as far as
  their events have been applied, so it would couple a vendor's scores to other partitions'
  progress; without it a vendor's scores follow from its own events alone;
- every incident is the vendor's own (no `caused_by_vendor_id`): an event bears on one vendor.

Sanctions are decided in the year before `today` (the registry's date), so that some bar their
vendor today and the registry announces `vendor.eligibility_changed`; the other events lie in
2016-2025. The same seed gives the same events, ids included (sanction dates follow `today`).
"""

from __future__ import annotations

import datetime as dt
import random

from dateutil.relativedelta import relativedelta

from services.events.contract import ContractAwarded, Criticality
from services.events.incident import (
    IncidentClosed,
    IncidentInvestigated,
    IncidentKind,
    IncidentReported,
    LeakFinding,
    Severity,
)
from services.events.sanction import SanctionImposed, SanctionKind
from services.events.vendor import VendorRegistered
from services.registry.domain.policy import SuspensionPolicy, propose
from services.registry.policy_loading import load_policies
from tests.support.workload import AUTHORITY, SEED, Emitter, Workload

EVENTS_PER_VENDOR = 10
CONTRACTS = 5  # the fifth is the sanctioned vendors' sanction instead
SANCTIONED_EVERY = 4
AGENCIES = ("市民課", "税務課", "福祉課", "教育委員会", "情報政策課", "総務課")
# Incidents happen (and are reported, investigated, closed) no later than this, so that no
# event is dated after the day the test runs.
LAST_INCIDENT_DAY = dt.date(2025, 6, 30)


def build(total: int, today: dt.date, seed: int = SEED) -> Workload:
    """`total` events (a multiple of EVENTS_PER_VENDOR), in producer order: by the moment
    each happened, so a chunk of them touches many vendors and every vendor's events keep
    their order (each happens on a later day than the one it depends on)."""
    if total <= 0 or total % EVENTS_PER_VENDOR:
        raise ValueError(f"the events must be a positive multiple of {EVENTS_PER_VENDOR}")
    builder = _Builder(random.Random(seed), load_policies()[AUTHORITY], today)
    for n in range(total // EVENTS_PER_VENDOR):
        builder.vendor(n)
    # `barring` serves tests/support/throughput.check_outcome; tests of this workload compare
    # whole runs instead.
    return Workload(builder.ordered(), barring=())


class _Builder(Emitter):
    def __init__(self, rng: random.Random, policy: SuspensionPolicy, today: dt.date) -> None:
        super().__init__(rng)
        self.policy = policy
        self.today = today

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def vendor(self, n: int) -> None:
        vendor_id = f"vendor-{n:05d}"
        registered_on = self._day(dt.date(2016, 1, 1), dt.date(2016, 12, 31))
        self._emit(vendor_id, registered_on, VendorRegistered(legal_name=f"株式会社スプレッド{n}"))
        sanctioned = n % SANCTIONED_EVERY == 0
        contracts = [self._contract(vendor_id, k) for k in range(CONTRACTS - sanctioned)]
        first, second = self.rng.sample(contracts, 2)
        reported_on = self._incident(vendor_id, f"{vendor_id}-i0", first)
        self._incident(vendor_id, f"{vendor_id}-i1", second)
        self._investigate_and_close(vendor_id, f"{vendor_id}-i0", reported_on)
        if sanctioned:
            self._sanction(vendor_id, f"{vendor_id}-i0")

    def _contract(self, vendor_id: str, k: int) -> ContractAwarded:
        rng = self.rng
        awarded_on = self._day(dt.date(2017, 1, 1), dt.date(2024, 12, 31))
        # Starts at least a day after the award, so an incident on it comes after the award.
        starts_on = awarded_on + dt.timedelta(days=rng.randint(1, 60))
        payload = ContractAwarded(
            contract_id=f"{vendor_id}-c{k}",
            agency=rng.choice(AGENCIES),
            title="システム運用保守",
            category="information_systems",
            criticality=Criticality.INTERNAL,
            awarded_on=awarded_on,
            starts_on=starts_on,
            ends_on=starts_on + relativedelta(years=rng.choice((1, 3, 5)), days=-1),
            amount=rng.randrange(1_000_000, 500_000_000, 1_000),
            currency="JPY",
        )
        self._emit(vendor_id, awarded_on, payload)
        return payload

    def _incident(self, vendor_id: str, incident_id: str, contract: ContractAwarded) -> dt.date:
        rng = self.rng
        occurred_on = self._day(contract.starts_on, min(contract.ends_on, LAST_INCIDENT_DAY))
        reported_on = occurred_on + dt.timedelta(days=rng.randint(0, 14))
        self._emit(
            vendor_id,
            reported_on,
            IncidentReported(
                incident_id=incident_id,
                kind=rng.choice(list(IncidentKind)),
                severity=rng.choice(list(Severity)),
                occurred_on=occurred_on,
                reported_on=reported_on,
                contract_id=contract.contract_id,
                description="委託先の作業中に発生した事故。",
            ),
        )
        return reported_on

    def _investigate_and_close(self, vendor_id: str, incident_id: str, reported: dt.date) -> None:
        rng = self.rng
        investigated_on = reported + dt.timedelta(days=rng.randint(5, 60))
        self._emit(
            vendor_id,
            investigated_on,
            IncidentInvestigated(
                incident_id=incident_id,
                investigated_on=investigated_on,
                leak=rng.choice(list(LeakFinding)),
                unapproved_subcontracting_found=rng.random() < 0.2,
                summary="調査の結果、管理体制の不備が認められた。",
            ),
        )
        closed_on = investigated_on + dt.timedelta(days=rng.randint(10, 120))
        self._emit(
            vendor_id,
            closed_on,
            IncidentClosed(
                incident_id=incident_id,
                closed_on=closed_on,
                resolution="再発防止策の実施を確認した。",
            ),
        )

    def _sanction(self, vendor_id: str, incident_id: str) -> None:
        """Within the policy's range, decided 20 to 365 days ago: in force today or ended."""
        rng = self.rng
        decided_on = self.today - dt.timedelta(days=rng.randint(20, 365))
        grounds = rng.sample(sorted(self.policy.grounds), k=rng.choice((1, 2)))
        serious = rng.random() < 0.25
        proposal = propose(self.policy, grounds, serious, decided_on)
        self._emit(
            vendor_id,
            decided_on,
            SanctionImposed(
                sanction_id=f"{vendor_id}-s0",
                kind=rng.choice((SanctionKind.BID_SUSPENSION, SanctionKind.WARNING)),
                authority=AUTHORITY,
                decided_on=decided_on,
                starts_on=proposal.starts_on,
                duration_months=rng.randint(proposal.min_months, proposal.max_months),
                grounds=grounds,
                serious=serious,
                incident_ids=[incident_id],
                reason="措置要領に基づく指名停止等の措置。",
            ),
        )
