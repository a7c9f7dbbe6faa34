"""A realistic, deterministic event workload for the event core: a city's registry history.

`build(total)` makes `total` events (20,000 for the benchmarks' full size) in the shares of a
real registry: a quarter vendor registrations (most with a corporate number whose check digit
is valid), half contract awards spread unevenly over vendors and twelve agencies (some
resident-facing), 15 % incident events (reports, some investigated, fewer closed) and 10 %
sanctions within the shipped city policy's range. Every payload is built with the models of
services/events/, so an invalid event fails here rather than in the system under test.

Events are in the order a producer would send them, by the day they happened: every vendor
registered before its first contract, every incident reported on one of the vendor's running
contracts before it is investigated and closed. The same seed gives the same events, ids
included, so every round and every run measures the same work.

The history is 2010-2022 on purpose: every sanction ended before 2025, so the registry announces
no eligibility change "today" and opens no migration plan, whatever day the benchmark runs on;
the work done is the same on every run. `barred_on(day)` is what the registry must answer for a
day inside that history (CHECK_DAY).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import count
from typing import TypeVar

from dateutil.relativedelta import relativedelta

from services.events.base import EventEnvelope, Payload
from services.events.catalog import ENVELOPES, SCHEMA_VERSION, parse_event
from services.events.contract import ContractAwarded, Criticality
from services.events.incident import (
    ControlFailure,
    IncidentClosed,
    IncidentInvestigated,
    IncidentKind,
    IncidentReported,
    LeakFinding,
    Severity,
)
from services.events.sanction import SanctionImposed, SanctionKind
from services.events.vendor import (
    CORPORATE_NUMBER,
    VendorIdentifierRef,
    VendorRegistered,
    corporate_number_check_digit,
)
from services.registry.domain.periods import last_day_after_months
from services.registry.domain.policy import SuspensionPolicy, propose
from services.registry.policy_loading import load_policies
from tests.support.case_b import another_vendor, line
from tests.support.event_examples import VALID_PAYLOADS, envelope

SEED = 20220708
SOURCE = "city.procurement"
TOKYO = dt.timezone(dt.timedelta(hours=9))
AUTHORITY = "City procurement office"  # the shipped city-example.toml

# Shares of the total, as in the registry of a mid-sized city.
VENDOR_SHARE, CONTRACT_SHARE, INCIDENT_SHARE = 0.25, 0.50, 0.15  # sanctions: the rest
# Of the incident events: reports, then investigations of some, then closings of fewer.
INVESTIGATED_SHARE, CLOSED_SHARE = 0.25, 0.15

# Bid suspensions and debarments bar a vendor; warnings do not.
BARRING = frozenset({SanctionKind.BID_SUSPENSION, SanctionKind.DEBARMENT})
CHECK_DAY = dt.date(2019, 10, 1)  # inside the sanctions' years: many vendors barred that day

# Words of vendor names with their kana reading and English form.
_NAME_WORDS = (
    ("東日本", "ヒガシニホン", "East Japan"),
    ("中央", "チュウオウ", "Chuo"),
    ("みらい", "ミライ", "Mirai"),
    ("北斗", "ホクト", "Hokuto"),
    ("青葉", "アオバ", "Aoba"),
    ("日進", "ニッシン", "Nisshin"),
    ("富士", "フジ", "Fuji"),
    ("さくら", "サクラ", "Sakura"),
    ("大和", "ヤマト", "Yamato"),
    ("光", "ヒカリ", "Hikari"),
)
_TRADE_WORDS = (
    ("情報システム", "ジョウホウシステム", "Information Systems"),
    ("電算", "デンサン", "Computing"),
    ("データサービス", "データサービス", "Data Services"),
    ("ソフトウェア", "ソフトウェア", "Software"),
    ("ネットワーク", "ネットワーク", "Network"),
    ("テクノロジー", "テクノロジー", "Technology"),
    ("ビジネスサポート", "ビジネスサポート", "Business Support"),
    ("設備管理", "セツビカンリ", "Facility Management"),
)
# Agencies, with how their contracts' criticality is usually spread (resident-facing,
# legally mandated, internal).
_AGENCIES = (
    ("市民課", (6, 2, 2)),
    ("税務課", (3, 6, 1)),
    ("保険年金課", (5, 4, 1)),
    ("福祉課", (5, 3, 2)),
    ("子育て支援課", (6, 1, 3)),
    ("介護保険課", (4, 4, 2)),
    ("教育委員会", (3, 2, 5)),
    ("情報政策課", (1, 1, 8)),
    ("総務課", (1, 2, 7)),
    ("上下水道局", (4, 3, 3)),
    ("環境課", (2, 2, 6)),
    ("建設課", (1, 2, 7)),
)
_CRITICALITIES = (Criticality.RESIDENT_FACING, Criticality.LEGALLY_MANDATED, Criticality.INTERNAL)
_WORK = (
    ("information_systems", ("システム運用保守", "システム構築", "クラウド移行")),
    ("data_processing", ("データ入力業務", "帳票印刷業務", "封入封緘業務")),
    ("consulting", ("業務改善支援", "調達支援")),
    ("facility_management", ("庁舎設備保守", "施設清掃業務")),
)
_INCIDENT_KINDS = (
    (IncidentKind.DATA_LOSS, 3),
    (IncidentKind.DATA_LEAK, 2),
    (IncidentKind.SECURITY_BREACH, 2),
    (IncidentKind.SERVICE_FAILURE, 5),
    (IncidentKind.UNAPPROVED_SUBCONTRACTING, 2),
    (IncidentKind.OTHER, 1),
)
_SANCTION_KINDS = (
    (SanctionKind.BID_SUSPENSION, 16),
    (SanctionKind.DEBARMENT, 1),
    (SanctionKind.WARNING, 3),
)


_T = TypeVar("_T")


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _weighted(rng: random.Random, options: tuple[tuple[_T, int], ...]) -> _T:
    return rng.choices([value for value, _ in options], [weight for _, weight in options])[0]


@dataclass(frozen=True)
class _Contract:
    contract_id: str
    vendor_id: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class _Incident:
    incident_id: str
    vendor_id: str
    reported_on: dt.date


@dataclass(frozen=True)
class BarringSanction:
    """What the registry must make of a barring sanction: who, from when, to when."""

    vendor_id: str
    starts_on: dt.date
    last_day: dt.date


@dataclass(frozen=True)
class Workload:
    """The events in producer order, and what applying all of them must lead to."""

    events: tuple[EventEnvelope, ...]
    barring: tuple[BarringSanction, ...] = field(repr=False)

    @cached_property
    def raws(self) -> list[bytes]:
        """The events as a producer sends them: one JSON object each, no null fields."""
        return [e.model_dump_json(exclude_none=True).encode() for e in self.events]

    @cached_property
    def event_ids(self) -> list[uuid.UUID]:
        return [e.event_id for e in self.events]

    @cached_property
    def vendor_ids(self) -> list[str]:
        return [e.vendor_id for e in self.events if e.event_type == VendorRegistered.event_type]

    @cached_property
    def counts(self) -> Counter[str]:
        """How many events of each type."""
        return Counter(e.event_type for e in self.events)

    def taken_by(self, event_types: Collection[str]) -> int:
        """How many events a consumer handling these event types takes."""
        return sum(n for event_type, n in self.counts.items() if event_type in event_types)

    def barred_on(self, day: dt.date) -> set[str]:
        """The vendors a bid suspension or debarment bars on `day`."""
        return {s.vendor_id for s in self.barring if s.starts_on <= day <= s.last_day}


def build(total: int, seed: int = SEED) -> Workload:
    """`total` events (at least 20, so every kind occurs), the same for the same seed."""
    if total < 20:
        raise ValueError(f"a workload needs at least 20 events, got {total}")
    return _Builder(random.Random(seed), load_policies()[AUTHORITY]).build(total)


class Emitter:
    """Makes a workload's events: seeded ids and times of day, kept in producer order."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._events: list[tuple[dt.datetime, int, EventEnvelope]] = []
        self._sequence = count()

    def ordered(self) -> tuple[EventEnvelope, ...]:
        """By the moment each thing happened; ties keep creation order."""
        return tuple(event for *_, event in sorted(self._events, key=lambda e: e[:2]))

    def _emit(self, vendor_id: str, day: dt.date, payload: Payload) -> None:
        rng = self.rng
        moment = dt.datetime.combine(day, dt.time(9 + rng.randint(0, 8), rng.randint(0, 59)))
        envelope = ENVELOPES[payload.event_type](
            event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            event_type=payload.event_type,
            schema_version=SCHEMA_VERSION,
            occurred_at=moment.replace(tzinfo=TOKYO),
            source=SOURCE,
            vendor_id=vendor_id,
            payload=payload,
        )
        self._events.append((envelope.occurred_at, next(self._sequence), envelope))


class _Builder(Emitter):
    def __init__(self, rng: random.Random, policy: SuspensionPolicy) -> None:
        super().__init__(rng)
        self.policy = policy

    def build(self, total: int) -> Workload:
        vendors = round(total * VENDOR_SHARE)
        contracts = round(total * CONTRACT_SHARE)
        incident_events = round(total * INCIDENT_SHARE)
        sanctions = total - vendors - contracts - incident_events
        vendor_ids = self._register(vendors)
        awarded = self._award(vendor_ids, contracts)
        reported = self._incidents(awarded, incident_events)
        barring = tuple(self._sanctions(vendor_ids, reported, sanctions))
        return Workload(self.ordered(), barring)

    def _register(self, vendors: int) -> list[str]:
        rng = self.rng
        # Distinct 12-digit bases, so no two vendors share a corporate number.
        bases = rng.sample(range(10**11, 10**12), vendors)
        vendor_ids = []
        for n, base in enumerate(bases):
            vendor_id = f"vendor-{n:05d}"
            (name, kana, english), (trade, trade_kana, trade_en) = (
                rng.choice(_NAME_WORDS),
                rng.choice(_TRADE_WORDS),
            )
            identifiers = [VendorIdentifierRef(scheme="internal", value=f"V-{n:05d}")]
            if rng.random() < 0.7:
                number = f"{corporate_number_check_digit(str(base))}{base}"
                identifiers.append(VendorIdentifierRef(scheme=CORPORATE_NUMBER, value=number))
            payload = VendorRegistered(
                legal_name=f"株式会社{name}{trade}{n}",
                name_kana=f"{kana}{trade_kana}",
                name_en=f"{english} {trade_en} {n} Co., Ltd.",
                identifiers=identifiers,
                aliases=[f"{name}{trade}"] if rng.random() < 0.3 else [],
                country="JP",
            )
            # Registered 2010-2013: before anything else happens with the vendor.
            self._emit(vendor_id, _day(rng, dt.date(2010, 4, 1), dt.date(2013, 12, 31)), payload)
            vendor_ids.append(vendor_id)
        return vendor_ids

    def _award(self, vendor_ids: list[str], contracts: int) -> list[_Contract]:
        rng = self.rng
        # A few vendors hold many contracts, most hold one or two: a long-tailed share.
        weights = [rng.paretovariate(1.2) for _ in vendor_ids]
        awarded = []
        for n, vendor_id in enumerate(rng.choices(vendor_ids, weights, k=contracts)):
            agency, spread = rng.choice(_AGENCIES)
            category, titles = rng.choice(_WORK)
            awarded_on = _day(rng, dt.date(2014, 1, 1), dt.date(2021, 12, 31))
            starts_on = awarded_on + dt.timedelta(days=rng.randint(0, 60))
            ends_on = starts_on + relativedelta(years=rng.choice((1, 3, 5)), days=-1)
            contract = _Contract(f"c-{n:06d}", vendor_id, starts_on, ends_on)
            payload = ContractAwarded(
                contract_id=contract.contract_id,
                agency=agency,
                title=f"{rng.choice(titles)}（{agency}）",
                category=category,
                criticality=rng.choices(_CRITICALITIES, spread)[0],
                awarded_on=awarded_on,
                starts_on=starts_on,
                ends_on=ends_on,
                amount=rng.randrange(1_000_000, 500_000_000, 1_000),
                currency="JPY",
            )
            self._emit(vendor_id, awarded_on, payload)
            awarded.append(contract)
        return awarded

    def _incidents(self, awarded: list[_Contract], incident_events: int) -> list[_Incident]:
        """Reports on running contracts; the first ones reported are investigated, the first
        investigated ones closed."""
        rng = self.rng
        investigations = round(incident_events * INVESTIGATED_SHARE)
        closings = round(incident_events * CLOSED_SHARE)
        reports = incident_events - investigations - closings
        reported = []
        for n, contract in enumerate(rng.choices(awarded, k=reports)):
            last = min(contract.ends_on, dt.date(2021, 6, 30))
            occurred_on = _day(rng, contract.starts_on, max(contract.starts_on, last))
            incident = _Incident(
                f"inc-{n:05d}", contract.vendor_id, occurred_on + dt.timedelta(rng.randint(0, 14))
            )
            payload = IncidentReported(
                incident_id=incident.incident_id,
                kind=_weighted(rng, _INCIDENT_KINDS),
                severity=rng.choice(list(Severity)),
                occurred_on=occurred_on,
                reported_on=incident.reported_on,
                contract_id=contract.contract_id,
                description="委託先の作業中に発生した事故。",
            )
            self._emit(incident.vendor_id, incident.reported_on, payload)
            reported.append(incident)
        for n, incident in enumerate(reported[:investigations]):
            investigated_on = incident.reported_on + dt.timedelta(rng.randint(5, 60))
            unapproved = rng.random() < 0.2
            failures = [ControlFailure.UNAPPROVED_RESUBCONTRACTING] if unapproved else []
            if rng.random() < 0.5:
                failures.append(ControlFailure.NO_SUPERVISION)
            self._emit(
                incident.vendor_id,
                investigated_on,
                IncidentInvestigated(
                    incident_id=incident.incident_id,
                    investigated_on=investigated_on,
                    leak=rng.choice(list(LeakFinding)),
                    unapproved_subcontracting_found=unapproved,
                    control_failures=failures,
                    summary="調査の結果、管理体制の不備が認められた。",
                ),
            )
            if n < closings:
                closed_on = investigated_on + dt.timedelta(rng.randint(10, 120))
                self._emit(
                    incident.vendor_id,
                    closed_on,
                    IncidentClosed(
                        incident_id=incident.incident_id,
                        closed_on=closed_on,
                        resolution="再発防止策の実施を確認した。",
                    ),
                )
        return reported

    def _sanctions(
        self, vendor_ids: list[str], reported: list[_Incident], sanctions: int
    ) -> Iterator[BarringSanction]:
        """Most sanctions answer an incident (decided weeks after its report), the others
        a finding elsewhere (bid rigging, bribery); all within the policy's range."""
        rng = self.rng
        grounds = sorted(self.policy.grounds)
        for n in range(sanctions):
            incident = rng.choice(reported) if reported and rng.random() < 0.7 else None
            if incident is not None:
                vendor_id = incident.vendor_id
                decided_on = incident.reported_on + dt.timedelta(rng.randint(14, 120))
            else:
                vendor_id = rng.choice(vendor_ids)
                decided_on = _day(rng, dt.date(2016, 1, 1), dt.date(2021, 6, 30))
            kind = _weighted(rng, _SANCTION_KINDS)
            chosen = rng.sample(grounds, k=rng.choice((1, 1, 2)))
            serious = rng.random() < 0.25
            proposal = propose(self.policy, chosen, serious, decided_on)
            months = rng.randint(proposal.min_months, proposal.max_months)
            payload = SanctionImposed(
                sanction_id=f"s-{n:05d}",
                kind=kind,
                authority=AUTHORITY,
                decided_on=decided_on,
                starts_on=proposal.starts_on,
                duration_months=months,
                grounds=chosen,
                serious=serious,
                incident_ids=[incident.incident_id] if incident else [],
                reason="措置要領に基づく指名停止等の措置。",
            )
            self._emit(vendor_id, decided_on, payload)
            if kind in BARRING:
                last_day = last_day_after_months(proposal.starts_on, months)
                yield BarringSanction(vendor_id, proposal.starts_on, last_day)


WARM_UP_VENDOR = "bench-warm-up"


def warm_up() -> Workload:
    """Two events of a vendor outside any workload, a registration and a contract, which every
    service takes: once all have applied them, the workers are consuming and a clock started
    then measures processing, not start-up."""
    contract = envelope("contract.awarded", VALID_PAYLOADS["contract.awarded"], WARM_UP_VENDOR)
    events = (another_vendor(WARM_UP_VENDOR), contract)
    return Workload(tuple(parse_event(line(e)) for e in events), barring=())
