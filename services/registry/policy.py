"""The suspension policy (措置要領) as data: ranges per ground, aggravation, the start rule.

A policy is a TOML file (see ``policies/city-example.toml`` for the format). The registry
proposes a sanction's period from it and flags a period outside it. Everything here is pure
except :func:`load_policies` and :func:`load_policy_file`, which read the files.

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

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from services.registry.periods import last_day_after_days, last_day_after_months

__all__ = [
    "GroundRange",
    "OutsidePolicy",
    "PolicyError",
    "Proposal",
    "SuspensionPolicy",
    "check_period",
    "load_policies",
    "load_policy_file",
    "parse_policy",
    "propose",
]

# The same shape as the sanction events' GroundCode.
_GROUND_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_OVERRIDE_HINT = "impose it with policy_override_reason to record why"


class PolicyError(ValueError):
    """A policy file is invalid, or a policy was asked about something it does not know."""


class OutsidePolicy(ValueError):
    """A sanction's start or period departs from the policy; ``reasons`` says each way how."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons) + f"; {_OVERRIDE_HINT}")


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
    duration_months: int | None = None,
    duration_days: int | None = None,
    ends_on: dt.date | None = None,
    indefinite: bool = False,
) -> None:
    """Raise :class:`OutsidePolicy` when the start or the period departs from the policy.

    The period is given in exactly one way (months, days, end date, or indefinite); anything
    else, or grounds the policy does not know, raise :class:`PolicyError`.
    """
    given = [
        name
        for name, value in (
            ("duration_months", duration_months),
            ("duration_days", duration_days),
            ("ends_on", ends_on),
            ("indefinite", indefinite or None),
        )
        if value is not None
    ]
    if len(given) != 1:
        got = " and ".join(given) if given else "none"
        raise PolicyError(
            "period: give exactly one of duration_months, duration_days, ends_on or "
            f"indefinite=True; got {got}"
        )
    for name, number in (("duration_months", duration_months), ("duration_days", duration_days)):
        if number is not None and number < 1:
            raise PolicyError(f"{name}: must be at least 1, got {number}")

    reasons: list[str] = []
    expected_start = policy.start_for(decided_on)
    if starts_on != expected_start:
        reasons.append(
            f"starting on {starts_on} is outside {policy.authority}'s start rule: "
            f"{policy.describe_start_rule()}, i.e. {expected_start} for a decision "
            f"on {decided_on}"
        )
    # The range is measured from the sanction's actual start.
    proposal = _dated(_range_for(policy, grounds, serious), starts_on)
    range_text = _range_text(policy, proposal)
    last_days = f"last day {proposal.earliest_last_day} to {proposal.latest_last_day}"
    if duration_months is not None:
        if not proposal.min_months <= duration_months <= proposal.max_months:
            reasons.append(f"{duration_months} months is outside {range_text}")
    elif indefinite:
        reasons.append(f"an indefinite period is outside {range_text}")
    else:
        if duration_days is not None:
            last_day = last_day_after_days(starts_on, duration_days)
            what = f"{duration_days} days (last day {last_day})"
        else:
            assert ends_on is not None
            last_day = ends_on
            what = f"ending on {ends_on}"
        if not proposal.earliest_last_day <= last_day <= proposal.latest_last_day:
            reasons.append(f"{what} is outside {range_text} ({last_days} from {starts_on})")
    if reasons:
        raise OutsidePolicy(reasons)


# --- loading -------------------------------------------------------------------------------


class _Table:
    """A TOML table being validated: typed reads with errors naming the file and the key."""

    def __init__(self, source: str, prefix: str, data: Mapping[str, Any]) -> None:
        self.source = source
        self.prefix = prefix
        self.data = data
        self.read: set[str] = set()

    def error(self, key: str, message: str) -> PolicyError:
        return PolicyError(f"{self.source}: {self.prefix}{key}: {message}")

    def _get(self, key: str, required: bool) -> Any:
        self.read.add(key)
        if key not in self.data:
            if required:
                raise self.error(key, "missing (required)")
            return None
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key, True)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"expected a non-empty string, got {value!r}")
        return value

    def integer(self, key: str, minimum: int, required: bool = True) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(key, f"expected an integer, got {value!r}")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {value!r}")
        return value

    def table(self, key: str) -> _Table:
        value = self._get(key, True)
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {value!r}")
        return _Table(self.source, f"{self.prefix}{key}.", value)

    def no_unknown_keys(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            allowed = ", ".join(sorted(self.read))
            raise self.error(unknown[0], f"unknown key (allowed here: {allowed})")


def _required_int(table: _Table, key: str, minimum: int) -> int:
    value = table.integer(key, minimum)
    assert value is not None
    return value


def _parse_ground(table: _Table, ground: str) -> GroundRange:
    label = table.table("label")
    label_ja, label_en = label.text("ja"), label.text("en")
    label.no_unknown_keys()
    min_months = _required_int(table, "min_months", 1)
    max_months = _required_int(table, "max_months", 1)
    if min_months > max_months:
        raise table.error("min_months", f"{min_months} is greater than max_months {max_months}")
    table.no_unknown_keys()
    return GroundRange(ground, label_ja, label_en, min_months, max_months)


def parse_policy(data: Mapping[str, Any], source: str) -> SuspensionPolicy:
    """A policy from a parsed TOML document; errors name ``source`` and the key."""
    top = _Table(source, "", data)
    authority = top.text("authority")
    version = top.text("version")
    description = top.text("description")
    factor = _required_int(top, "aggravation_factor", 1)
    scales_min = top.boolean("aggravation_scales_min", True)
    start = top.table("start")
    days_after = _required_int(start, "days_after_decision", 0)
    start.no_unknown_keys()
    grounds_table = top.table("grounds")
    if not grounds_table.data:
        raise top.error("grounds", "at least one ground is needed")
    grounds: dict[str, GroundRange] = {}
    for ground in grounds_table.data:
        if not _GROUND_ID.match(ground):
            raise grounds_table.error(
                ground, "a ground id is a lowercase identifier (a-z, 0-9, _; 2 to 64 characters)"
            )
        grounds[ground] = _parse_ground(grounds_table.table(ground), ground)
    top.no_unknown_keys()
    return SuspensionPolicy(
        authority=authority,
        version=version,
        description=description,
        days_after_decision=days_after,
        aggravation_factor=factor,
        aggravation_scales_min=scales_min,
        grounds=MappingProxyType(grounds),
    )


def _parse_file(file: Traversable, source: str) -> SuspensionPolicy:
    try:
        data = tomllib.loads(file.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{source}: not UTF-8 text ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not valid TOML: {exc}") from exc
    return parse_policy(data, source)


def load_policy_file(path: Path) -> SuspensionPolicy:
    """Read and validate one policy file."""
    try:
        return _parse_file(path, str(path))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read: {exc}") from exc


def _packaged_policies() -> Traversable:
    return files("services.registry").joinpath("policies")


def load_policies(directory: Path | None = None) -> dict[str, SuspensionPolicy]:
    """Every ``*.toml`` policy in ``directory`` (default: the packaged ones), by authority."""
    folder: Traversable = _packaged_policies() if directory is None else directory
    if not folder.is_dir():
        raise PolicyError(f"{folder}: the policy directory does not exist")
    policies: dict[str, SuspensionPolicy] = {}
    sources: dict[str, str] = {}
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml") and entry.is_file()),
        key=lambda entry: entry.name,
    )
    for entry in entries:
        source = str(entry)
        try:
            policy = _parse_file(entry, source)
        except OSError as exc:
            raise PolicyError(f"{source}: cannot be read: {exc}") from exc
        if policy.authority in policies:
            raise PolicyError(
                f"{source}: authority: {policy.authority!r} is already defined by "
                f"{sources[policy.authority]}; one policy per authority"
            )
        policies[policy.authority] = policy
        sources[policy.authority] = source
    if not policies:
        raise PolicyError(f"{folder}: no *.toml policy files in the policy directory")
    return policies
