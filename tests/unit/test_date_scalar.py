"""The Date scalar: ISO and Japanese era input, ISO output, InvalidDate as a GraphQL error."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.gateway.scalars import DATE, DATE_DESCRIPTION
from services.registry.domain.era_dates import InvalidDate


@strawberry.type
class Query:
    @strawberry.field
    def next_day(self, day: dt.date) -> dt.date:
        return day + dt.timedelta(days=1)


schema = strawberry.Schema(query=Query, scalar_overrides={dt.date: DATE})

BY_VARIABLE = "query ($day: Date!) { nextDay(day: $day) }"


def test_sdl_names_and_describes_the_scalar() -> None:
    sdl = schema.as_str()
    assert f'"""\n{DATE_DESCRIPTION}\n"""\nscalar Date\n' in sdl
    assert "nextDay(day: Date!): Date!" in sdl


def test_era_literal_in_iso_out() -> None:
    result = schema.execute_sync('{ nextDay(day: "令和4年11月28日") }')
    assert result.errors is None
    assert result.data == {"nextDay": "2022-11-29"}


def test_abbreviated_era_literal() -> None:
    result = schema.execute_sync('{ nextDay(day: "H31.4.30") }')
    assert result.errors is None
    assert result.data == {"nextDay": "2019-05-01"}


def test_iso_variable() -> None:
    result = schema.execute_sync(BY_VARIABLE, variable_values={"day": "2022-11-28"})
    assert result.errors is None
    assert result.data == {"nextDay": "2022-11-29"}


def test_era_variable() -> None:
    result = schema.execute_sync(BY_VARIABLE, variable_values={"day": "令和元年5月1日"})
    assert result.errors is None
    assert result.data == {"nextDay": "2019-05-02"}


def test_invalid_literal_is_the_invalid_date_message_at_its_place() -> None:
    """A literal's refusal says the type expected and why, at its place in the document, with
    the InvalidDate as its original error (a client's value refused, as a variable's is)."""
    result = schema.execute_sync('{ nextDay(day: "令和4年2月30日") }')
    assert result.data is None
    assert result.errors is not None
    [error] = result.errors
    assert (
        error.message
        == "Expected value of type 'Date', not '令和4年2月30日': 2022-02 has no day 30"
    )
    assert error.locations is not None
    assert [(location.line, location.column) for location in error.locations] == [(1, 16)]
    assert isinstance(error.original_error, InvalidDate)


def test_invalid_variable_carries_the_invalid_date_message() -> None:
    result = schema.execute_sync(BY_VARIABLE, variable_values={"day": "令和1年4月30日"})
    assert result.data is None
    assert result.errors is not None
    [error] = result.errors
    expected = "'令和1年4月30日': 令和 began on 2019-05-01; that day is 平成31年4月30日"
    # graphql-core names the variable in front of the scalar's own message.
    assert error.message == f"Variable '$day' has invalid value: {expected}"
    assert error.original_error is not None
    assert str(error.original_error) == expected


def test_non_string_input_is_refused() -> None:
    literal = schema.execute_sync("{ nextDay(day: 20221128) }")
    assert literal.errors is not None
    assert [e.message for e in literal.errors] == [
        "Expected value of type 'Date', not 20221128: give a string, e.g. \"2022-11-28\""
    ]
    variable = schema.execute_sync(BY_VARIABLE, variable_values={"day": 20221128})
    assert variable.errors is not None
    assert [e.message for e in variable.errors] == [
        "Variable '$day' has invalid value: Date cannot represent 20221128: expected a string"
    ]
