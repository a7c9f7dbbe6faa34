"""Sanction periods in months follow the Civil Code (arts. 140-143); days and end dates too."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registry.domain.periods import (
    last_day_after_days,
    last_day_after_months,
    sanction_last_day,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (D(2022, 7, 9), 18, D(2024, 1, 8)),  # the case: eligible again 2024-01-09
        (D(2022, 7, 1), 18, D(2023, 12, 31)),  # a month start ends on a month's last day
        (D(2023, 1, 31), 1, D(2023, 2, 28)),  # no 31 February: the month's last day
        (D(2023, 8, 30), 6, D(2024, 2, 29)),  # no 30 February, leap year: the 29th
        (D(2023, 8, 29), 6, D(2024, 2, 28)),  # 29 February exists in 2024: the day before
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day start, no 29 February next year
        (D(2022, 11, 30), 3, D(2023, 2, 28)),
        (D(2022, 3, 31), 1, D(2022, 4, 30)),  # no 31 April
        (D(2022, 3, 15), 9, D(2022, 12, 14)),
    ],
)
def test_months_end_the_day_before_the_corresponding_day(
    start: dt.date, months: int, last_day: dt.date
) -> None:
    assert last_day_after_months(start, months) == last_day


def test_days_count_the_first_day() -> None:
    assert last_day_after_days(D(2022, 7, 9), 1) == D(2022, 7, 9)
    assert last_day_after_days(D(2022, 7, 9), 30) == D(2022, 8, 7)


def test_sanction_last_day_by_the_kind_of_period() -> None:
    start = D(2022, 7, 9)
    none: dict[str, int | None] = {"duration_months": None, "duration_days": None}
    assert sanction_last_day(start, duration_months=18, duration_days=None, ends_on=None) == D(
        2024, 1, 8
    )
    assert sanction_last_day(start, duration_months=None, duration_days=10, ends_on=None) == D(
        2022, 7, 18
    )
    assert sanction_last_day(start, **none, ends_on=D(2023, 1, 1)) == D(2023, 1, 1)
    assert sanction_last_day(start, **none, ends_on=None) is None  # indefinite
