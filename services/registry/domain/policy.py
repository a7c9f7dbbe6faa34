"""The suspension policy (措置要領) as data: ranges per ground, aggravation, the start rule.

A policy is a TOML file (see ``policies/city-example.toml`` for the format). The registry
proposes a sanction's period from it and flags a period outside it. Everything here is pure
(policy_loading.py reads the files).

Decisions:

- **Aggravation** (serious cases) multiplies ``max_months`` by ``aggravation_factor``, and by
  default ``min_months`` too (a serious case is not given less than twice the normal minimum);
  a policy that only extends the ceiling says ``aggravation_scales_min = false``.
- **Several grounds**: the longest range applies, i.e. the range of the ground with the greatest
  ``max_months``; among equal maxima, the greatest ``min_months``; among identical ranges, the
  first ground given. That ground is the proposal's ``governing_ground``.
- **Start**: ``starts_on`` is ``decided_on + days_after_decision``; any other start is outside
  the policy.
- Periods in days or by end date are compared by their last day with the last days of the
  range's shortest and longest period (months counted by the Civil Code, from ``starts_on``).
  An indefinite period is outside any range.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from services.registry.domain.periods import last_day_after_days, last_day_after_months

__all__ = [
    "GroundRange",
    "OutsidePolicy",
    "Period",
    "PolicyError",
    "Proposal",
    "SuspensionPolicy",
    "check_new_period",
    "check_period",
    "propose",
]

IMPOSE_HINT = "impose it with policy_override_reason to record why"
AMEND_HINT = "amend it with policy_override_reason to record why"


class PolicyError(ValueError):
    """A policy file is invalid, or a policy was asked about something it does not know."""


class OutsidePolicy(ValueError):
    """A sanction's start or period departs from the policy; ``reasons`` says each way how,
    as (the payload's field it is about, why), so that a form shows it beside that field."""

    def __init__(self, reasons: Sequence[tuple[str, str]], hint: str = IMPOSE_HINT) -> None:
        self.fields = tuple(dict.fromkeys(field for field, _ in reasons))
        self.reasons = tuple(reason for _, reason in reasons)
        super().__init__("; ".join(self.reasons) + f"; {hint}")


@dataclass(frozen=True, slots=True)
class GroundRange:
    """One ground of the policy and its normal range of months."""

    ground: str
    label_ja: str
    label_en: str
    min_months: int
    max_months: int


@dataclass(frozen=True, slots=True)
class SuspensionPolicy:
    """An authority's suspension policy (措置要領)."""

    authority: str
    version: str
    description: str
    days_after_decision: int
    aggravation_factor: int
    aggravation_scales_min: bool
    grounds: Mapping[str, GroundRange]

    def start_for(self, decided_on: dt.date) -> dt.date:
        """The first day in force of a sanction decided on ``decided_on``."""
        return decided_on + dt.timedelta(days=self.days_after_decision)

    def describe_start_rule(self) -> str:
        n = self.days_after_decision
        if n == 0:
            return "the day of the decision"
        if n == 1:
            return "the day after the decision"
        if n == 2:
            return "the day after next (two days after the decision)"
        return f"{n} days after the decision"


@dataclass(frozen=True, slots=True)
class Proposal:
    """The period the policy proposes. ``aggravation_factor`` is the factor applied (1 if not
    serious); the last days are those of the shortest and longest period from ``starts_on``."""

    starts_on: dt.date
    min_months: int
    max_months: int
    earliest_last_day: dt.date
    latest_last_day: dt.date
    governing_ground: str
    serious: bool
    aggravation_factor: int


def _governing(policy: SuspensionPolicy, grounds: Sequence[str]) -> GroundRange:
    if not grounds:
        raise PolicyError("grounds: at least one ground is needed to apply the policy")
    unknown = [g for g in grounds if g not in policy.grounds]
    if unknown:
        known = ", ".join(sorted(policy.grounds))
        raise PolicyError(
            f"grounds: {', '.join(unknown)} not in {policy.authority}'s policy "
            f"(version {policy.version}); known grounds: {known}"
        )
    best = policy.grounds[grounds[0]]
    for ground in grounds[1:]:
        candidate = policy.grounds[ground]
        if (candidate.max_months, candidate.min_months) > (best.max_months, best.min_months):
            best = candidate
    return best


def _range_for(policy: SuspensionPolicy, grounds: Sequence[str], serious: bool) -> Proposal:
    """The proposal's months and ground; its dates are filled in by the callers."""
    ground = _governing(policy, grounds)
    factor = policy.aggravation_factor if serious else 1
    min_factor = factor if policy.aggravation_scales_min else 1
    return Proposal(
        starts_on=dt.date.min,
        min_months=ground.min_months * min_factor,
        max_months=ground.max_months * factor,
        earliest_last_day=dt.date.min,
        latest_last_day=dt.date.min,
        governing_ground=ground.ground,
        serious=serious,
        aggravation_factor=factor,
    )


def _dated(months: Proposal, starts_on: dt.date) -> Proposal:
    return Proposal(
        starts_on=starts_on,
        min_months=months.min_months,
        max_months=months.max_months,
        earliest_last_day=last_day_after_months(starts_on, months.min_months),
        latest_last_day=last_day_after_months(starts_on, months.max_months),
        governing_ground=months.governing_ground,
        serious=months.serious,
        aggravation_factor=months.aggravation_factor,
    )


def propose(
    policy: SuspensionPolicy, grounds: Sequence[str], serious: bool, decided_on: dt.date
) -> Proposal:
    """The start and range of months the policy gives for these grounds."""
    return _dated(_range_for(policy, grounds, serious), policy.start_for(decided_on))


def _range_text(policy: SuspensionPolicy, proposal: Proposal) -> str:
    aggravation = f" (serious, ×{proposal.aggravation_factor})" if proposal.serious else ""
    return (
        f"{policy.authority}'s range for {proposal.governing_ground}{aggravation}: "
        f"{proposal.min_months}–{proposal.max_months} months"
    )


def check_period(
    policy: SuspensionPolicy,
    *,
    grounds: Sequence[str],
    serious: bool,
    decided_on: dt.date,
    starts_on: dt.date,
    period: Period,
) -> None:
    """Raise :class:`OutsidePolicy` when the start or the period departs from the policy;
    grounds the policy does not know raise :class:`PolicyError`."""
    reasons: list[tuple[str, str]] = []
    expected_start = policy.start_for(decided_on)
    if starts_on != expected_start:
        reasons.append(
            (
                "starts_on",
                f"starting on {starts_on} is outside {policy.authority}'s start rule: "
                f"{policy.describe_start_rule()}, i.e. {expected_start} for a decision "
                f"on {decided_on}",
            )
        )
    reasons += _period_reasons(policy, grounds, serious, starts_on, period)
    if reasons:
        raise OutsidePolicy(reasons)


def check_new_period(
    policy: SuspensionPolicy,
    *,
    grounds: Sequence[str],
    serious: bool,
    starts_on: dt.date,
    period: Period,
) -> None:
    """Raise :class:`OutsidePolicy` when an amendment's new period (counted from the
    sanction's start, as every period is) departs from the range of the sanction's grounds:
    the range binds a period however it is reached, or a one-month suspension amended to
    thirty would go unjustified. The start was judged with the imposition."""
    if reasons := _period_reasons(policy, grounds, serious, starts_on, period):
        raise OutsidePolicy(reasons, hint=AMEND_HINT)


class PeriodFields(Protocol):
    """What gives a period: an imposition's or an amendment's four period fields."""

    @property
    def duration_months(self) -> int | None: ...
    @property
    def duration_days(self) -> int | None: ...
    @property
    def ends_on(self) -> dt.date | None: ...
    @property
    def indefinite(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Period:
    """A period given in exactly one way (PolicyError otherwise): in months, in days, to an
    end date, or indefinite."""

    duration_months: int | None = None
    duration_days: int | None = None
    ends_on: dt.date | None = None
    indefinite: bool = False

    @classmethod
    def of(cls, given: PeriodFields) -> Period:
        """The period an imposition or an amendment gives."""
        return cls(given.duration_months, given.duration_days, given.ends_on, given.indefinite)

    def __post_init__(self) -> None:
        given = [
            name
            for name, value in (
                ("duration_months", self.duration_months),
                ("duration_days", self.duration_days),
                ("ends_on", self.ends_on),
                ("indefinite", self.indefinite or None),
            )
            if value is not None
        ]
        if len(given) != 1:
            got = " and ".join(given) if given else "none"
            raise PolicyError(
                "period: give exactly one of duration_months, duration_days, ends_on or "
                f"indefinite=True; got {got}"
            )
        for name in ("duration_months", "duration_days"):
            if (number := getattr(self, name)) is not None and number < 1:
                raise PolicyError(f"{name}: must be at least 1, got {number}")


def _period_reasons(
    policy: SuspensionPolicy,
    grounds: Sequence[str],
    serious: bool,
    starts_on: dt.date,
    period: Period,
) -> list[tuple[str, str]]:
    """How the period departs from the range of these grounds (empty: it does not), said of
    the field that gives the period."""
    months = _range_for(policy, grounds, serious)
    range_text = _range_text(policy, months)
    if period.duration_months is not None:
        if not months.min_months <= period.duration_months <= months.max_months:
            said = f"{_count(period.duration_months, 'month')} is outside {range_text}"
            return [("duration_months", said)]
        return []
    if period.indefinite:
        return [("indefinite", f"an indefinite period is outside {range_text}")]
    # Only a period in days or to an end date is compared with the range's last days
    # (measured from the sanction's actual start): a period in months needs no dates.
    proposal = _dated(months, starts_on)
    last_days = f"last day {proposal.earliest_last_day} to {proposal.latest_last_day}"
    if period.duration_days is not None:
        last_day = last_day_after_days(starts_on, period.duration_days)
        what = f"{_count(period.duration_days, 'day')} (last day {last_day})"
        field = "duration_days"
    else:
        assert period.ends_on is not None
        last_day = period.ends_on
        what = f"ending on {period.ends_on}"
        field = "ends_on"
    if not proposal.earliest_last_day <= last_day <= proposal.latest_last_day:
        return [(field, f"{what} is outside {range_text} ({last_days} from {starts_on})")]
    return []


def _count(n: int, unit: str) -> str:
    """ "1 month", "2 months": a person reads the refusal."""
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def policies_fingerprint(policies: Mapping[str, SuspensionPolicy]) -> str:
    """``"<versions>:<8 hex digits>"``: the policies' versions, and a hash of everything they
    say (any change of a file's content changes it, its layout and comments aside), so that
    processes loading other policies under the same version are told apart."""
    content = [
        {
            **{f.name: getattr(p, f.name) for f in dataclasses.fields(p) if f.name != "grounds"},
            "grounds": {g: dataclasses.asdict(r) for g, r in p.grounds.items()},
        }
        for _, p in sorted(policies.items())
    ]
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    versions = ",".join(p.version for _, p in sorted(policies.items()))
    return f"{versions}:{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"
