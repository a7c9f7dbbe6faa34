"""The suspension policy (措置要領) as data: proposals and the flagging of periods outside it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import services
from services.registry.domain.policy import (
    OutsidePolicy,
    Period,
    PolicyError,
    SuspensionPolicy,
    check_period,
    propose,
)
from services.registry.policy_loading import load_policies, load_policy_file

D = dt.date
CITY = "City procurement office"
CASE_GROUNDS = ["breach_of_contract", "dishonest_conduct"]
DECIDED = D(2022, 7, 8)
STARTS = D(2022, 7, 9)


@pytest.fixture(scope="module")
def city() -> SuspensionPolicy:
    return load_policies()[CITY]


_PERIOD = ("duration_months", "duration_days", "ends_on", "indefinite")


def check(policy: SuspensionPolicy, **kwargs: Any) -> None:
    """`check_period` of the case's decision, with `kwargs` replacing its terms or giving
    its period's fields."""
    arguments: dict[str, Any] = {
        "grounds": CASE_GROUNDS,
        "serious": True,
        "decided_on": DECIDED,
        "starts_on": STARTS,
    }
    period = {name: kwargs.pop(name) for name in _PERIOD if name in kwargs}
    arguments.update(kwargs)
    check_period(policy, **arguments, period=Period(**period))


# --- the shipped example and the case ------------------------------------------------------


def test_the_example_is_shipped_inside_the_package() -> None:
    package = Path(services.__file__).parent
    example = package / "registry" / "policies" / "city-example.toml"
    assert example.is_file()  # hatchling's packages = ["services"] ships non-Python files too
    assert load_policy_file(example).authority == CITY


def test_the_example_policy(city: SuspensionPolicy) -> None:
    assert city.days_after_decision == 1
    assert city.aggravation_factor == 2
    ranges = {g: (r.min_months, r.max_months) for g, r in city.grounds.items()}
    assert ranges == {
        "breach_of_contract": (1, 9),
        "dishonest_conduct": (1, 9),
        "information_leakage": (1, 9),
        "bribery": (3, 12),
        "bid_rigging": (2, 12),
        "negligent_accident": (1, 6),
    }
    assert city.grounds["breach_of_contract"].label_ja == "契約違反"
    assert city.grounds["breach_of_contract"].label_en == "Breach of contract"


def test_the_case_is_proposed_18_months_from_the_next_day(city: SuspensionPolicy) -> None:
    proposal = propose(city, CASE_GROUNDS, serious=True, decided_on=DECIDED)
    assert proposal.starts_on == STARTS
    assert proposal.max_months == 18
    assert proposal.min_months == 2  # the aggravation scales the minimum too
    assert proposal.latest_last_day == D(2024, 1, 8)
    assert proposal.earliest_last_day == D(2022, 9, 8)
    assert proposal.governing_ground == "breach_of_contract"
    assert proposal.serious
    assert proposal.aggravation_factor == 2


def test_24_months_is_refused_with_the_range(city: SuspensionPolicy) -> None:
    with pytest.raises(OutsidePolicy) as caught:
        check(city, duration_months=24)
    assert str(caught.value) == (
        "24 months is outside City procurement office's range for breach_of_contract "
        "(serious, ×2): 2–18 months; impose it with policy_override_reason to record why"
    )


def test_the_months_taken_are_exactly_the_range(city: SuspensionPolicy) -> None:
    """Every period from 2 to 18 months passes, and none either side of it."""

    def taken(months: int) -> bool:
        try:
            check(city, duration_months=months)
        except OutsidePolicy:
            return False
        return True

    assert [months for months in range(1, 37) if taken(months)] == list(range(2, 19))


def test_one_month_is_below_a_serious_case_minimum(city: SuspensionPolicy) -> None:
    with pytest.raises(OutsidePolicy, match=r"1 month is outside .*: 2–18 months"):
        check(city, duration_months=1)


def test_not_serious_keeps_the_normal_range(city: SuspensionPolicy) -> None:
    proposal = propose(city, CASE_GROUNDS, serious=False, decided_on=DECIDED)
    assert (proposal.min_months, proposal.max_months) == (1, 9)
    assert proposal.aggravation_factor == 1
    assert proposal.latest_last_day == D(2023, 4, 8)
    check(city, serious=False, duration_months=9)
    with pytest.raises(OutsidePolicy) as caught:
        check(city, serious=False, duration_months=18)
    assert "range for breach_of_contract: 1–9 months" in str(caught.value)
    assert "serious" not in str(caught.value)


def test_aggravation_can_leave_the_minimum(city: SuspensionPolicy) -> None:
    ceiling_only = dataclasses.replace(city, aggravation_scales_min=False)
    proposal = propose(ceiling_only, CASE_GROUNDS, serious=True, decided_on=DECIDED)
    assert (proposal.min_months, proposal.max_months) == (1, 18)


# --- several grounds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grounds", "governing", "months"),
    [
        (["negligent_accident", "breach_of_contract"], "breach_of_contract", (1, 9)),
        (["breach_of_contract", "bid_rigging"], "bid_rigging", (2, 12)),
        # equal maxima: the greater minimum wins, whatever the order
        (["bid_rigging", "bribery"], "bribery", (3, 12)),
        (["bribery", "bid_rigging"], "bribery", (3, 12)),
        # identical ranges: the first given
        (["dishonest_conduct", "breach_of_contract"], "dishonest_conduct", (1, 9)),
        (["negligent_accident"], "negligent_accident", (1, 6)),
    ],
)
def test_the_longest_range_applies(
    city: SuspensionPolicy, grounds: list[str], governing: str, months: tuple[int, int]
) -> None:
    proposal = propose(city, grounds, serious=False, decided_on=DECIDED)
    assert proposal.governing_ground == governing
    assert (proposal.min_months, proposal.max_months) == months


def test_several_grounds_checked_against_the_longest_range(city: SuspensionPolicy) -> None:
    grounds = ["negligent_accident", "bribery"]
    check(city, grounds=grounds, serious=False, duration_months=12)
    with pytest.raises(OutsidePolicy, match="range for bribery: 3–12 months"):
        check(city, grounds=grounds, serious=False, duration_months=2)


def test_an_unknown_ground_lists_the_known_ones(city: SuspensionPolicy) -> None:
    with pytest.raises(PolicyError) as caught:
        propose(city, ["breach_of_contract", "arson"], serious=False, decided_on=DECIDED)
    message = str(caught.value)
    assert "arson" in message
    assert "known grounds: bid_rigging, breach_of_contract, bribery" in message
    with pytest.raises(PolicyError, match="arson"):
        check(city, grounds=["arson"], duration_months=3)


def test_no_grounds_is_an_error(city: SuspensionPolicy) -> None:
    with pytest.raises(PolicyError, match="at least one ground"):
        propose(city, [], serious=False, decided_on=DECIDED)


# --- the start rule ------------------------------------------------------------------------


@pytest.mark.parametrize("starts_on", [D(2022, 7, 8), D(2022, 7, 10), D(2022, 8, 1)])
def test_a_start_other_than_the_rule_is_outside_policy(
    city: SuspensionPolicy, starts_on: dt.date
) -> None:
    with pytest.raises(OutsidePolicy) as caught:
        check(city, starts_on=starts_on, duration_months=18)
    assert caught.value.reasons == (
        f"starting on {starts_on} is outside City procurement office's start rule: the day "
        "after the decision, i.e. 2022-07-09 for a decision on 2022-07-08",
    )


def test_a_wrong_start_and_a_wrong_length_are_both_reported(city: SuspensionPolicy) -> None:
    with pytest.raises(OutsidePolicy) as caught:
        check(city, starts_on=D(2022, 7, 10), duration_months=24)
    assert len(caught.value.reasons) == 2


@pytest.mark.parametrize(("days_after", "starts_on"), [(0, DECIDED), (2, D(2022, 7, 10))])
def test_the_start_rule_is_configured(
    city: SuspensionPolicy, days_after: int, starts_on: dt.date
) -> None:
    policy = dataclasses.replace(city, days_after_decision=days_after)
    assert propose(policy, CASE_GROUNDS, serious=True, decided_on=DECIDED).starts_on == starts_on
    check(policy, starts_on=starts_on, duration_months=18)
    with pytest.raises(OutsidePolicy, match="start rule"):
        check(policy, starts_on=STARTS + dt.timedelta(days=5), duration_months=18)


# --- days, end dates, indefinite -----------------------------------------------------------


def test_days_are_compared_by_their_last_day(city: SuspensionPolicy) -> None:
    # 2022-07-09 .. 2024-01-08 is 549 days: the longest period of 18 months.
    check(city, duration_days=549)
    with pytest.raises(OutsidePolicy) as caught:
        check(city, duration_days=550)
    assert str(caught.value).startswith(
        "550 days (last day 2024-01-09) is outside City procurement office's range for "
        "breach_of_contract (serious, ×2): 2–18 months (last day 2022-09-08 to 2024-01-08 "
        "from 2022-07-09)"
    )
    # 2022-07-09 .. 2022-09-08 is 62 days: the shortest period of 2 months.
    check(city, duration_days=62)
    with pytest.raises(OutsidePolicy, match="61 days"):
        check(city, duration_days=61)


def test_end_dates_are_compared_by_their_last_day(city: SuspensionPolicy) -> None:
    check(city, ends_on=D(2024, 1, 8))
    check(city, ends_on=D(2022, 9, 8))
    with pytest.raises(OutsidePolicy, match="ending on 2024-01-09 is outside"):
        check(city, ends_on=D(2024, 1, 9))
    with pytest.raises(OutsidePolicy, match="ending on 2022-09-07 is outside"):
        check(city, ends_on=D(2022, 9, 7))


def test_indefinite_is_outside_any_range(city: SuspensionPolicy) -> None:
    with pytest.raises(OutsidePolicy, match=r"an indefinite period is outside .*: 2–18 months"):
        check(city, indefinite=True)


@pytest.mark.parametrize(
    "period",
    [
        {},
        {"duration_months": 3, "duration_days": 90},
        {"ends_on": D(2023, 1, 1), "indefinite": True},
    ],
)
def test_exactly_one_period_is_needed(city: SuspensionPolicy, period: dict[str, Any]) -> None:
    with pytest.raises(PolicyError, match="exactly one of"):
        check(city, **period)


def test_non_positive_durations_are_errors(city: SuspensionPolicy) -> None:
    with pytest.raises(PolicyError, match="duration_days: must be at least 1"):
        check(city, duration_days=0)


# --- loading and validating policy files ---------------------------------------------------

VALID = """\
authority = "Prefecture works bureau"
version = "2024-04"
description = "test policy"
aggravation_factor = 2

[start]
days_after_decision = 2

[grounds.bribery]
label = { ja = "贈賄", en = "Bribery" }
min_months = 3
max_months = 12
"""


def write(directory: Path, text: str, name: str = "policy.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_directory_overrides_the_packaged_policies(tmp_path: Path) -> None:
    write(tmp_path, VALID)
    write(tmp_path, "not a policy", name="notes.txt")
    policies = load_policies(tmp_path)
    assert list(policies) == ["Prefecture works bureau"]
    policy = policies["Prefecture works bureau"]
    assert policy.days_after_decision == 2
    assert policy.aggravation_scales_min  # the default
    assert propose(policy, ["bribery"], serious=True, decided_on=DECIDED).max_months == 24


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("colour = 'red'\n" + VALID, "policy.toml: colour: unknown key"),
        (
            VALID.replace("[start]\n", "[start]\nweekday = 1\n"),
            "policy.toml: start.weekday: unknown key",
        ),
        (VALID + "notes = 'x'\n", "policy.toml: grounds.bribery.notes: unknown key"),
        (
            VALID.replace('en = "Bribery" }', 'en = "Bribery", fr = "Corruption" }'),
            "policy.toml: grounds.bribery.label.fr: unknown key",
        ),
        (
            VALID.replace("min_months = 3", "min_months = 13"),
            "policy.toml: grounds.bribery.min_months: 13 is greater than max_months 12",
        ),
        (
            VALID.replace("min_months = 3", "min_months = 0"),
            "policy.toml: grounds.bribery.min_months: must be at least 1, got 0",
        ),
        (
            VALID.replace("max_months = 12", "max_months = -1"),
            "policy.toml: grounds.bribery.max_months: must be at least 1, got -1",
        ),
        (
            VALID.replace("max_months = 12", "max_months = 1.5"),
            "policy.toml: grounds.bribery.max_months: expected an integer",
        ),
        (
            VALID.replace("max_months = 12\n", ""),
            "policy.toml: grounds.bribery.max_months: missing",
        ),
        (
            VALID.replace('authority = "Prefecture works bureau"\n', ""),
            "policy.toml: authority: missing",
        ),
        (
            VALID.replace("aggravation_factor = 2", "aggravation_factor = 0"),
            "policy.toml: aggravation_factor: must be at least 1",
        ),
        (
            VALID.replace("aggravation_factor = 2", "aggravation_factor = true"),
            "policy.toml: aggravation_factor: expected an integer",
        ),
        (
            VALID.replace("days_after_decision = 2", "days_after_decision = -1"),
            "policy.toml: start.days_after_decision: must be at least 0",
        ),
        (
            VALID.replace("[start]\ndays_after_decision = 2\n", ""),
            "policy.toml: start: missing",
        ),
        (
            VALID.replace("[grounds.bribery]", "[grounds.Bribery]"),
            "policy.toml: grounds.Bribery: a ground id is a lowercase identifier",
        ),
        (VALID.split("[grounds.")[0] + "[grounds]\n", "policy.toml: grounds: at least one"),
        ("authority = ", "policy.toml: not valid TOML"),
    ],
)
def test_invalid_policy_files_name_the_file_and_key(tmp_path: Path, text: str, error: str) -> None:
    write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / "policy.toml")), caught.value
    assert error in str(caught.value)


def test_two_files_for_one_authority_are_refused(tmp_path: Path) -> None:
    write(tmp_path, VALID, name="a.toml")
    write(tmp_path, VALID, name="b.toml")
    with pytest.raises(PolicyError, match=r"b\.toml: authority: .* already defined by .*a\.toml"):
        load_policies(tmp_path)


@pytest.mark.parametrize("other", ["PREFECTURE  works", "Prefecture-works.", "prefectureworks"])
def test_two_spellings_of_one_authority_are_one_authority(tmp_path: Path, other: str) -> None:
    # A sanction of either spelling would name both policies: which range would bind it?
    write(tmp_path, VALID, name="a.toml")
    write(tmp_path, VALID.replace("Prefecture works", other), name="b.toml")
    with pytest.raises(PolicyError, match=r"b\.toml: authority: .* already defined by .*a\.toml"):
        load_policies(tmp_path)


def test_a_directory_without_policies_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"no \*\.toml policy files"):
        load_policies(tmp_path)
    with pytest.raises(PolicyError, match="does not exist"):
        load_policies(tmp_path / "missing")
