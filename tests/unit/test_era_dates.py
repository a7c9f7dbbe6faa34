"""Japanese era dates: ISO and era input, clear refusals, and format/parse round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.registry.domain.era_dates import ERAS, InvalidDate, format_era, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2022-11-28", D(2022, 11, 28)),
        ("令和4年11月28日", D(2022, 11, 28)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("令和1年5月1日", D(2019, 5, 1)),
        ("令和04年11月28日", D(2022, 11, 28)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("昭和元年12月25日", D(1926, 12, 25)),
        ("大正元年7月30日", D(1912, 7, 30)),
        ("明治元年1月25日", D(1868, 1, 25)),
        ("明治45年7月29日", D(1912, 7, 29)),
        # full-width digits, full-width and ASCII spaces, the one-character era signs
        ("令和４年１１月２８日", D(2022, 11, 28)),
        ("令和\u3000４年　１１月　２８日", D(2022, 11, 28)),
        (" 令和 4 年 11 月 28 日 ", D(2022, 11, 28)),
        ("２０２２－１１－２８", D(2022, 11, 28)),
        ("㋿4年11月28日", D(2022, 11, 28)),
        ("㍻31年4月30日", D(2019, 4, 30)),
        # abbreviated forms
        ("R4.11.28", D(2022, 11, 28)),
        ("R04.11.28", D(2022, 11, 28)),
        ("r4.11.28", D(2022, 11, 28)),
        ("H31.4.30", D(2019, 4, 30)),
        ("h31.04.30", D(2019, 4, 30)),
        ("R4/11/28", D(2022, 11, 28)),
        ("R4-11-28", D(2022, 11, 28)),
        ("Ｒ４．１１．２８", D(2022, 11, 28)),
        ("S64.1.7", D(1989, 1, 7)),
        ("T1.7.30", D(1912, 7, 30)),
        ("M45.7.29", D(1912, 7, 29)),
    ],
)
def test_accepted_forms(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("平成32年1月1日", D(2020, 1, 1)),
        ("H32.1.1", D(2020, 1, 1)),
        ("平成31年5月1日", D(2019, 5, 1)),  # 令和's first day, in 平成's continued count
        ("昭和64年1月8日", D(1989, 1, 8)),
        ("昭和100年1月1日", D(2025, 1, 1)),
    ],
)
def test_years_past_an_eras_end_continue_its_count(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("令和0年1月1日", "'令和0年1月1日': era years start at 1 (元年)"),
        ("R0.1.1", "'R0.1.1': era years start at 1 (元年)"),
        (
            "令和1年4月30日",
            "'令和1年4月30日': 令和 began on 2019-05-01; that day is 平成31年4月30日",
        ),
        (
            "平成元年1月7日",
            "'平成元年1月7日': 平成 began on 1989-01-08; that day is 昭和64年1月7日",
        ),
        (
            "R1.4.30",
            "'R1.4.30': 令和 began on 2019-05-01; that day is 平成31年4月30日",
        ),
        (
            "明治元年1月24日",
            "'明治元年1月24日': 明治 began on 1868-01-25; that day is 1868-01-24, "
            "before 明治, the earliest era supported",
        ),
        ("令和4年2月30日", "'令和4年2月30日': 2022-02 has no day 30"),
        ("令和5年2月29日", "'令和5年2月29日': 2023-02 has no day 29"),
        ("2022-02-30", "'2022-02-30': 2022-02 has no day 30"),
        ("令和4年11月0日", "'令和4年11月0日': 2022-11 has no day 0"),
        ("令和4年13月1日", "'令和4年13月1日': there is no month 13"),
        ("2022-00-10", "'2022-00-10': there is no month 0"),
        ("0000-01-01", "'0000-01-01': year 0 is out of range"),
        ("令和9999年1月1日", "'令和9999年1月1日': year 12017 is out of range"),
        (
            "慶応4年1月1日",
            "'慶応4年1月1日': unknown era name '慶応' (known: 明治, 大正, 昭和, 平成, 令和)",
        ),
        (
            "X4.1.1",
            "'X4.1.1': unknown era initial 'X' "
            "(known: M (明治), T (大正), S (昭和), H (平成), R (令和))",
        ),
    ],
)
def test_refusals_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidDate) as raised:
        parse_date(text)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2022/11/28",
        "2022-1-5",
        "20221128",
        "R4.11/28",  # mixed separators
        "R4.11",
        "令和4年11月",
        "令和四年十一月二十八日",  # kanji numerals are not supported
        "R元.5.1",
        "令和4年11月28日です",
        "tomorrow",
        "令和٤年11月28日",  # Arabic-Indic digit: only ASCII and full-width digits count
    ],
)
def test_malformed_input_is_refused(text: str) -> None:
    with pytest.raises(InvalidDate) as raised:
        parse_date(text)
    assert str(raised.value) == (
        f"{text!r}: malformed; expected an ISO date (2022-11-28), "
        "an era date (令和4年11月28日) or an abbreviated era date (R4.11.28)"
    )


def test_invalid_date_is_a_value_error() -> None:
    assert issubclass(InvalidDate, ValueError)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (D(2022, 11, 28), "令和4年11月28日"),
        (D(2019, 5, 1), "令和元年5月1日"),
        (D(2019, 4, 30), "平成31年4月30日"),
        (D(1989, 1, 8), "平成元年1月8日"),
        (D(1989, 1, 7), "昭和64年1月7日"),
        (D(1926, 12, 25), "昭和元年12月25日"),
        (D(1926, 12, 24), "大正15年12月24日"),
        (D(1912, 7, 30), "大正元年7月30日"),
        (D(1868, 1, 25), "明治元年1月25日"),
    ],
)
def test_format_era_uses_the_era_in_force(day: dt.date, text: str) -> None:
    assert format_era(day) == text


def test_format_era_refuses_dates_before_meiji() -> None:
    with pytest.raises(InvalidDate, match=r"^'1868-01-24': before 明治 \(1868-01-25\)"):
        format_era(D(1868, 1, 24))


# Written out again here, independently of ERAS, so a typo there is caught.
FIRST_DAYS = [
    ("明治", "M", D(1868, 1, 25)),
    ("大正", "T", D(1912, 7, 30)),
    ("昭和", "S", D(1926, 12, 25)),
    ("平成", "H", D(1989, 1, 8)),
    ("令和", "R", D(2019, 5, 1)),
]


def test_eras_table() -> None:
    assert [(e.name, e.initial, e.starts_on) for e in ERAS] == FIRST_DAYS


@given(st.dates(min_value=D(1868, 1, 25), max_value=D(2999, 12, 31)))
def test_format_then_parse_round_trips_in_the_latest_era_begun(day: dt.date) -> None:
    text = format_era(day)
    assert parse_date(text) == day
    name, initial, first_day = max((e for e in FIRST_DAYS if e[2] <= day), key=lambda e: e[2])
    assert text.startswith(name)
    year = day.year - first_day.year + 1
    assert parse_date(f"{initial}{year}.{day.month}.{day.day}") == day
    assert parse_date(f"{initial.lower()}{year:02d}/{day.month:02d}/{day.day:02d}") == day
