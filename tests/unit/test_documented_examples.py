"""The examples the README and graphql/operations show are valid against the real contract."""

from __future__ import annotations

import pathlib

import pytest

from graphql import NoDeprecatedCustomRule, parse, validate
from services.events.catalog import parse_event
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
OPERATIONS = sorted((REPO_ROOT / "graphql" / "operations").glob("*.graphql"))


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_example_operation_is_valid_against_the_schema(path: pathlib.Path) -> None:
    errors = validate(build_schema(Limits())._schema, parse(path.read_text(encoding="utf-8")))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_example_operation_uses_nothing_deprecated(path: pathlib.Path) -> None:
    schema = build_schema(Limits())._schema
    errors = validate(schema, parse(path.read_text(encoding="utf-8")), [NoDeprecatedCustomRule])
    assert errors == [], [e.message for e in errors]


def test_there_are_example_operations() -> None:
    assert {p.name for p in OPERATIONS} >= {"bid-eligibility.graphql", "submit-event.graphql"}


def test_the_worked_example_events_are_valid() -> None:
    lines = (REPO_ROOT / "schemas" / "examples" / "case-b.jsonl").read_bytes().splitlines()
    events = [parse_event(line) for line in lines]
    assert [e.event_type for e in events] == ["vendor.registered", "sanction.imposed"]
