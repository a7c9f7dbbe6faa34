"""Civil Code month arithmetic (arts. 140-143) against an independent formulation.

`last_day_after_months` leans on dateutil; the oracle here is plain integer arithmetic and
`calendar.monthrange`, so a shared mistake is unlikely.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.registry.domain.periods import last_day_after_days, last_day_after_months

D = dt.date

starts = st.dates(min_value=D(1868, 1, 1), max_value=D(2999, 12, 31))
month_counts = st.integers(min_value=1, max_value=600)


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def expected_last_day(start: dt.date, months: int) -> dt.date:
    """Art. 143: the day before the corresponding day of the final month, else its last day."""
    year, month0 = divmod(month_index(start) + months, 12)
    month = month0 + 1
    days_in_month = calendar.monthrange(year, month)[1]
    if start.day <= days_in_month:
        # The corresponding day exists; the day before it is in the previous month for a 1st.
        corresponding = D(year, month, start.day)
        return D.fromordinal(corresponding.toordinal() - 1)
    return D(year, month, days_in_month)


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        # The 29th, 30th and 31st: the corresponding day may be missing.
        (D(2023, 1, 29), 1, D(2023, 2, 28)),  # no 29 February 2023: its last day
        (D(2024, 1, 29), 1, D(2024, 2, 28)),  # 29 February 2024 exists: the day before
        (D(2023, 1, 30), 1, D(2023, 2, 28)),
        (D(2024, 1, 30), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 3, D(2023, 4, 30)),  # no 31 April
        (D(2023, 3, 31), 2, D(2023, 5, 30)),  # 31 May exists
        (D(2023, 5, 30), 1, D(2023, 6, 29)),
        (D(2023, 5, 31), 1, D(2023, 6, 30)),
        (D(2023, 7, 31), 1, D(2023, 8, 30)),
        (D(2023, 8, 31), 1, D(2023, 9, 30)),
        (D(2023, 10, 31), 1, D(2023, 11, 30)),
        # Leap days: starting on 29 February, ending in February of leap and non-leap years.
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # no 29 February 2025
        (D(2024, 2, 29), 48, D(2028, 2, 28)),  # 29 February 2028 exists: the day before
        (D(2024, 2, 29), 1, D(2024, 3, 28)),
        (D(1896, 2, 29), 48, D(1900, 2, 28)),  # 1900 is no leap year
        (D(1996, 2, 29), 48, D(2000, 2, 28)),  # 2000 is one
        (D(2000, 2, 29), 600, D(2050, 2, 28)),
        (D(2023, 8, 30), 6, D(2024, 2, 29)),  # no 30 February, leap year: the 29th
        # Starts on the 1st end on the last day of the month before.
        (D(2023, 2, 1), 1, D(2023, 2, 28)),
        (D(2024, 2, 1), 1, D(2024, 2, 29)),
        (D(2023, 3, 1), 1, D(2023, 3, 31)),
        (D(2024, 3, 1), 12, D(2025, 2, 28)),
        (D(2023, 3, 1), 12, D(2024, 2, 29)),
        (D(1868, 1, 1), 1, D(1868, 1, 31)),
        # December to January: the year turns.
        (D(2022, 12, 10), 1, D(2023, 1, 9)),
        (D(2022, 12, 1), 1, D(2022, 12, 31)),  # the day before 1 January 2023
        (D(2022, 11, 1), 2, D(2022, 12, 31)),
        (D(2022, 12, 31), 2, D(2023, 2, 28)),
        (D(2022, 12, 1), 13, D(2023, 12, 31)),
        (D(2022, 7, 9), 18, D(2024, 1, 8)),  # vendor B's case (README.md)
        (D(2999, 12, 31), 600, D(3049, 12, 30)),
    ],
)
def test_explicit_cases(start: dt.date, months: int, last_day: dt.date) -> None:
    assert expected_last_day(start, months) == last_day  # the oracle itself is right here
    assert last_day_after_months(start, months) == last_day


@given(starts, month_counts)
def test_months_match_the_independent_formulation(start: dt.date, months: int) -> None:
    assert last_day_after_months(start, months) == expected_last_day(start, months)


@given(starts, month_counts, st.integers(min_value=1, max_value=600))
def test_more_months_end_later(start: dt.date, months: int, more: int) -> None:
    assert last_day_after_months(start, months) < last_day_after_months(start, months + more)


@given(starts, month_counts)
def test_the_next_day_is_in_the_final_month_or_just_after(start: dt.date, months: int) -> None:
    # Eligible again (the day after the period) never before `months` calendar months have
    # passed, and at most one month later (when the final month lacks the start day).
    last_day = last_day_after_months(start, months)
    again = last_day + dt.timedelta(days=1)
    target = month_index(start) + months
    assert target <= month_index(again) <= target + 1
    if month_index(again) == target:
        assert again.day == start.day
    else:
        assert again.day == 1 and start.day > last_day.day


@given(starts, month_counts)
def test_a_period_of_months_lasts_28_to_31_days_per_month(start: dt.date, months: int) -> None:
    length = (last_day_after_months(start, months) - start).days + 1
    assert 28 * months <= length <= 31 * months


@given(starts, st.integers(min_value=1, max_value=50))
def test_periods_of_whole_years_end_before_the_same_date(start: dt.date, years: int) -> None:
    assume((start.month, start.day) != (2, 29))  # the leap day has its own cases above
    last_day = last_day_after_months(start, 12 * years)
    assert last_day == D(start.year + years, start.month, start.day) - dt.timedelta(days=1)


# --- periods in days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "last_day"),
    [
        (D(2022, 7, 9), 1, D(2022, 7, 9)),  # the first day counts
        (D(2022, 7, 9), 30, D(2022, 8, 7)),
        (D(2022, 12, 31), 2, D(2023, 1, 1)),
        (D(2024, 2, 28), 2, D(2024, 2, 29)),
        (D(2023, 2, 28), 2, D(2023, 3, 1)),
        (D(2024, 1, 1), 366, D(2024, 12, 31)),
    ],
)
def test_days_explicit_cases(start: dt.date, days: int, last_day: dt.date) -> None:
    assert last_day_after_days(start, days) == last_day


@given(starts, st.integers(min_value=1, max_value=36_500))
def test_days_count_from_and_including_the_start(start: dt.date, days: int) -> None:
    last_day = last_day_after_days(start, days)
    assert last_day.toordinal() - start.toordinal() + 1 == days
    assert D.fromordinal(start.toordinal() + days - 1) == last_day


@given(starts, st.integers(min_value=1, max_value=36_500))
def test_one_more_day_ends_one_day_later(start: dt.date, days: int) -> None:
    assert last_day_after_days(start, days + 1) == last_day_after_days(start, days) + dt.timedelta(
        days=1
    )
