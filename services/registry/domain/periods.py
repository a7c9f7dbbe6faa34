"""Sanction periods: Japanese Civil Code month arithmetic (arts. 140-143), days, end dates."""

from __future__ import annotations

import datetime as dt
import functools

from dateutil.relativedelta import relativedelta

ONE_DAY = dt.timedelta(days=1)


@functools.lru_cache(maxsize=4096)  # pure; relativedelta is slow, and starts repeat
def last_day_after_months(start: dt.date, months: int) -> dt.date:
    """The last day of a period of `months` that starts at the beginning of `start`.

    Art. 143: it ends on the day before the day of the final month that corresponds to the
    start day; when that month has no such day (a 31st, or 29 February), on its last day.
    """
    corresponding = start + relativedelta(months=months)  # clamps to the month's last day
    if corresponding.day != start.day:
        return corresponding
    return corresponding - ONE_DAY


def last_day_after_days(start: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` counted from (and including) `start`."""
    return start + dt.timedelta(days=days - 1)


def sanction_last_day(
    starts_on: dt.date,
    *,
    duration_months: int | None,
    duration_days: int | None,
    ends_on: dt.date | None,
) -> dt.date | None:
    """The last day a sanction applies; None when it is indefinite."""
    if duration_months is not None:
        return last_day_after_months(starts_on, duration_months)
    if duration_days is not None:
        return last_day_after_days(starts_on, duration_days)
    return ends_on
