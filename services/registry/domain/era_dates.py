"""Japanese era (元号) dates: parse them and format them. Pure functions, no I/O.

Accepted input (normalised with Unicode NFKC first, so full-width digits, full-width spaces
and punctuation, and the one-character era signs such as ㋿ and ㍻ all work):

- ISO 8601 calendar dates: ``2022-11-28``;
- era dates: ``令和4年11月28日``, ``令和元年5月1日`` (元年 is year 1), spaces allowed between
  the parts (``令和 4年 11月 28日``), leading zeros allowed (``令和04年``);
- abbreviated era dates with the era's Latin initial, upper or lower case, and one separator
  used throughout (``.``, ``/`` or ``-``): ``R4.11.28``, ``R04.11.28``, ``h31/4/30``,
  ``S64-1-7``.

Anything else raises :class:`InvalidDate`, whose message quotes the input and says what is
wrong.

Decisions
---------

*Years past an era's end are accepted* as the continued count of that era: 平成32年1月1日 is
2020-01-01, 昭和64年1月8日 is 1989-01-08. Forms and contracts printed before an era change
keep the old era's numbering, and Japanese public bodies treat such dates as valid, so
refusing them would refuse genuine documents. The mapping is simply
``era's first Gregorian year + era year − 1``.

*Dates before an era's first day are refused*, with the correct era date in the message:
令和1年4月30日 is refused because 令和 began on 2019-05-01 (that day is 平成31年4月30日).
Such a date does not exist in any calendar anyone printed, so it is a typing error.

*Meiji is simplified.* 明治 is treated as starting on 1868-01-25 (the Gregorian date of
慶応4年1月1日, to which the era was made retroactive) and 明治 dates are read as Gregorian
month and day. Japan used the lunisolar calendar until 明治5年12月2日 (1872-12-31), so a
date written in 明治1–5 with lunisolar month and day maps here to the wrong Gregorian day;
this registry never holds such dates, and converting the old calendar is out of scope.
Dates before 1868-01-25 have no era date here and are refused.

:func:`format_era` writes the era in force on the day (the latest era whose first day is on
or before it), so ``parse_date(format_era(d)) == d`` for every date from 1868-01-25 on.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TypeVar

from services.events.base import FIRST_YEAR, LAST_YEAR

__all__ = [
    "ERAS",
    "Era",
    "InvalidDate",
    "era_of",
    "format_era",
    "parse_date",
    "parse_day",
    "within_years",
]


class InvalidDate(ValueError):
    """A date text that is not a valid ISO or Japanese era date; the message says why."""


@dataclass(frozen=True, slots=True)
class Era:
    name: str
    initial: str
    starts_on: dt.date


# Oldest first. See the module docstring for the 明治 simplification.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", dt.date(1868, 1, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("令和", "R", dt.date(2019, 5, 1)),
)

_BY_NAME = {era.name: era for era in ERAS}
_BY_INITIAL = {era.initial: era for era in ERAS}

# ASCII digits only (NFKC has already turned full-width ones into ASCII), and bounded
# lengths so no huge number is ever converted. Era name: letters only (CJK ideographs count
# as letters), matched lazily so that 元年 is read as the year: 令和元年 → 令和 + 元.
_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
_ERA = re.compile(
    r"(?P<era>[^\W\d_]+?)\s*(?P<year>[0-9]{1,4}|元)\s*年\s*(?P<month>[0-9]{1,2})\s*月"
    r"\s*(?P<day>[0-9]{1,2})\s*日"
)
_ABBREVIATED = re.compile(
    r"(?P<initial>[A-Za-z])\s*(?P<year>[0-9]{1,4})(?P<sep>[./-])(?P<month>[0-9]{1,2})(?P=sep)"
    r"(?P<day>[0-9]{1,2})"
)

_EXPECTED = (
    "expected an ISO date (2022-11-28), an era date (令和4年11月28日) "
    "or an abbreviated era date (R4.11.28)"
)


def parse_date(text: str) -> dt.date:
    """Read an ISO date or a Japanese era date; raise :class:`InvalidDate` if it is neither."""
    normalised = unicodedata.normalize("NFKC", text).strip()

    if match := _ISO.fullmatch(normalised):
        return _calendar_date(text, int(match["year"]), int(match["month"]), int(match["day"]))

    if match := _ERA.fullmatch(normalised):
        name = match["era"]
        era = _BY_NAME.get(name)
        if era is None:
            known = ", ".join(e.name for e in ERAS)
            raise InvalidDate(f"{text!r}: unknown era name {name!r} (known: {known})")
        year = 1 if match["year"] == "元" else int(match["year"])
        return _era_date(text, era, year, int(match["month"]), int(match["day"]))

    if match := _ABBREVIATED.fullmatch(normalised):
        initial = match["initial"].upper()
        era = _BY_INITIAL.get(initial)
        if era is None:
            known = ", ".join(f"{e.initial} ({e.name})" for e in ERAS)
            raise InvalidDate(f"{text!r}: unknown era initial {initial!r} (known: {known})")
        return _era_date(text, era, int(match["year"]), int(match["month"]), int(match["day"]))

    raise InvalidDate(f"{text!r}: malformed; {_EXPECTED}")


_Day = TypeVar("_Day", dt.date, dt.datetime)


def within_years(day: _Day) -> _Day:
    """The day or moment, if within the years the registry reads (events' dates are held to
    them too); raises :class:`InvalidDate` otherwise. 0001-01-01 or 9999-12-31 as a `knownAt`,
    a decision day or an export's day overflowed in PostgreSQL or in period arithmetic (a
    day's next day): a fault of ours for a client's typing error."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidDate(f"year {day.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return day


def parse_day(text: str) -> dt.date:
    """A day a client gives, read as the API's `Date` reads it wherever it is given (the
    GraphQL scalar, the exclusions export's `?asOf=` and `--as-of`): :func:`parse_date`,
    within the years the registry reads (:func:`within_years`)."""
    return within_years(parse_date(text))


def era_of(day: dt.date) -> Era:
    """The era in force on ``day``: the latest one whose first day is on or before it."""
    for era in reversed(ERAS):
        if era.starts_on <= day:
            return era
    first = ERAS[0]
    raise InvalidDate(
        f"{day.isoformat()!r}: before {first.name} ({first.starts_on.isoformat()}); "
        "earlier dates have no era date here"
    )


def format_era(day: dt.date) -> str:
    """Write ``day`` in the era in force on it: ``令和4年11月28日``, ``令和元年5月1日``."""
    era = era_of(day)
    year = day.year - era.starts_on.year + 1
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{day.month}月{day.day}日"


def _era_date(text: str, era: Era, era_year: int, month: int, day: int) -> dt.date:
    if era_year < 1:
        raise InvalidDate(f"{text!r}: era years start at 1 (元年)")
    result = _calendar_date(text, era.starts_on.year + era_year - 1, month, day)
    if result < era.starts_on:
        raise InvalidDate(
            f"{text!r}: {era.name} began on {era.starts_on.isoformat()}; "
            f"that day is {_describe(result)}"
        )
    return result


def _calendar_date(text: str, year: int, month: int, day: int) -> dt.date:
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise InvalidDate(f"{text!r}: year {year} is out of range")
    if not 1 <= month <= 12:
        raise InvalidDate(f"{text!r}: there is no month {month}")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise InvalidDate(f"{text!r}: {year:04d}-{month:02d} has no day {day}")
    return dt.date(year, month, day)


def _describe(day: dt.date) -> str:
    """The era date of ``day`` or, before the first era, its ISO form."""
    if day < ERAS[0].starts_on:
        return f"{day.isoformat()}, before {ERAS[0].name}, the earliest era supported"
    return format_era(day)
