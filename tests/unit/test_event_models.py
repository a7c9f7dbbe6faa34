"""The event contract: every catalog type parses, and bad input is refused saying why."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from services.events.base import Payload
from services.events.catalog import ENVELOPES, EVENT_TYPES, EventRejected, parse_event, parse_stored
from services.events.sanction import SanctionAmended, SanctionImposed, SanctionKind
from services.events.vendor import VendorRegistered, VendorUpdated, corporate_number_check_digit
from services.platform.eventstore.event_store import canonical_json
from tests.support.event_examples import (
    DROP,
    RULE_VIOLATIONS,
    VALID_PAYLOADS,
    envelope,
    example,
)


def parse_payload(event_type: str, payload: dict[str, Any]) -> Payload:
    return parse_event(json.dumps(envelope(event_type, payload))).payload


def rejection(raw: str | bytes) -> str:
    with pytest.raises(EventRejected) as info:
        parse_event(raw)
    return info.value.reason


def payload_rejection(event_type: str, payload: dict[str, Any]) -> str:
    return rejection(json.dumps(envelope(event_type, payload)))


def envelope_rejection(**changes: Any) -> str:
    event = envelope("sanction.imposed", example("sanction.imposed")) | changes
    return rejection(json.dumps(event))


# --- every type -----------------------------------------------------------------------------


def test_examples_cover_every_event_type() -> None:
    assert set(VALID_PAYLOADS) == set(EVENT_TYPES)
    assert set(RULE_VIOLATIONS) <= set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_valid_example_parses_into_its_typed_envelope(event_type: str) -> None:
    event_id = str(uuid.uuid4())
    raw = json.dumps(envelope(event_type, example(event_type), event_id=event_id))
    event = parse_event(raw)
    assert type(event) is ENVELOPES[event_type]
    assert event.event_type == event_type
    assert type(event.payload).event_type == event_type
    assert event.event_id == uuid.UUID(event_id)
    assert event.occurred_at == dt.datetime(2022, 7, 8, 1, 0, tzinfo=dt.UTC)
    assert event.vendor_id == "vendor-b"
    # The event store re-serializes events with every field (nulls and defaults included);
    # read back, they must mean the same, and so must a compact form without unset fields.
    assert parse_event(event.model_dump_json()) == event
    assert parse_event(event.model_dump_json(exclude_unset=True)) == event
    assert parse_event(raw.encode("utf-8")) == event


REQUIRED_FIELDS = [
    (event_type, name)
    for event_type, model in ENVELOPES.items()
    for name, field in model.model_fields["payload"].annotation.model_fields.items()  # type: ignore[union-attr]
    if field.is_required()
]


def test_every_type_but_vendor_updated_has_required_fields() -> None:
    # vendor.updated is all optional by design; its "no change" rule is tested below.
    assert {t for t, _ in REQUIRED_FIELDS} == set(EVENT_TYPES) - {"vendor.updated"}


@pytest.mark.parametrize(("event_type", "field"), REQUIRED_FIELDS)
def test_missing_required_payload_field_is_named(event_type: str, field: str) -> None:
    reason = payload_rejection(event_type, example(event_type, **{field: DROP}))
    assert f"payload.{field}: Field required" in reason


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_unknown_payload_field_is_named(event_type: str) -> None:
    reason = payload_rejection(event_type, example(event_type, colour="blue"))
    assert "payload.colour: Extra inputs are not permitted" in reason


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_payload_of_another_type_is_refused(event_type: str) -> None:
    other = "incident.closed" if event_type != "incident.closed" else "sanction.lifted"
    assert payload_rejection(event_type, example(other)).startswith("payload")


# --- the envelope ---------------------------------------------------------------------------


def test_naive_occurred_at_is_refused() -> None:
    reason = envelope_rejection(occurred_at="2022-07-08T10:00:00")
    assert reason.startswith("occurred_at:") and "timezone" in reason


def test_unknown_envelope_field_is_refused() -> None:
    assert "trace_id: Extra inputs are not permitted" in envelope_rejection(trace_id="x")


def test_unknown_event_type_lists_known_types() -> None:
    reason = envelope_rejection(event_type="sanction.forgiven")
    assert "'sanction.forgiven'" in reason
    assert all(event_type in reason for event_type in EVENT_TYPES)


@pytest.mark.parametrize("raw", ['{"event_id": ', "", b"\xff\xfe"])
def test_malformed_json_is_refused(raw: str | bytes) -> None:
    assert "Invalid JSON" in rejection(raw)


@pytest.mark.parametrize("raw", ["[]", '"sanction.imposed"', "42", "null"])
def test_json_that_is_not_an_object_is_refused(raw: str) -> None:
    assert rejection(raw).startswith("not a JSON object")


def test_missing_event_type_is_named() -> None:
    assert rejection("{}") == "event_type: Field required"


@pytest.mark.parametrize("version", [2, 0, "1", True, 1.0])
def test_other_schema_versions_are_refused(version: object) -> None:
    """`true` and `1.0` equal 1 in Python; the contract's version is the integer 1."""
    assert envelope_rejection(schema_version=version).startswith("schema_version:")


@pytest.mark.parametrize(
    "occurred_at", ["1700000000", 1700000000, "1700000000.5", "20220708T100000+0900", True]
)
def test_occurred_at_is_refused_unless_written_as_iso_8601(occurred_at: object) -> None:
    """pydantic reads a string of digits as seconds since 1970, even in strict mode."""
    assert envelope_rejection(occurred_at=occurred_at).startswith("occurred_at:")


JST = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.parametrize(
    ("occurred_at", "instant"),
    [
        ("2022-07-08T10:00:00+09:00", dt.datetime(2022, 7, 8, 10, tzinfo=JST)),
        ("2022-07-08T01:00:00Z", dt.datetime(2022, 7, 8, 1, tzinfo=dt.UTC)),
        ("2022-07-08 10:00:00.250+09:00", dt.datetime(2022, 7, 8, 10, 0, 0, 250_000, tzinfo=JST)),
    ],
)
def test_iso_8601_timestamps_with_an_offset_are_accepted(
    occurred_at: str, instant: dt.datetime
) -> None:
    """Read as the instant written, its offset kept (the day it fell on where it happened)."""
    event = envelope("sanction.imposed", example("sanction.imposed")) | {"occurred_at": occurred_at}
    parsed = parse_event(json.dumps(event)).occurred_at
    assert (parsed, parsed.utcoffset()) == (instant, instant.utcoffset())


@pytest.mark.parametrize("vendor_id", ["vendor b", "", "-vendor", "v" * 129, "ベンダー"])
def test_bad_vendor_id_is_refused(vendor_id: str) -> None:
    assert envelope_rejection(vendor_id=vendor_id).startswith("vendor_id:")


@pytest.mark.parametrize("event_id", ["abc", "", 42])
def test_bad_event_id_is_refused(event_id: object) -> None:
    assert envelope_rejection(event_id=event_id).startswith("event_id:")


# --- strict JSON: what is accepted and what is not ------------------------------------------


def test_json_strings_become_dates_uuids_and_enums() -> None:
    payload = parse_payload("sanction.imposed", example("sanction.imposed"))
    assert isinstance(payload, SanctionImposed)
    assert payload.decided_on == dt.date(2022, 7, 8)
    assert payload.kind is SanctionKind.BID_SUSPENSION


def test_omitted_optionals_take_their_defaults() -> None:
    payload = parse_payload("vendor.registered", {"legal_name": "  株式会社B  "})
    assert payload == VendorRegistered.model_validate_json('{"legal_name": "株式会社B"}')
    assert isinstance(payload, VendorRegistered)
    assert payload.legal_name == "株式会社B"  # surrounding whitespace is stripped
    assert (payload.name_kana, payload.identifiers, payload.aliases, payload.country) == (
        None,
        [],
        [],
        None,
    )


def test_explicit_null_is_accepted_for_optional_fields() -> None:
    payload = parse_payload("claim.filed", example("claim.filed", incident_id=None))
    assert payload.model_dump()["incident_id"] is None


def test_int_is_accepted_for_a_float_field() -> None:
    payload = parse_payload("risk.changed", example("risk.changed", old_score=35))
    assert type(payload.model_dump()["old_score"]) is float


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("starts_on", "2022-07-09T00:00:00"),  # a datetime is not a date
        ("starts_on", 1657324800),  # nor is a timestamp
        ("starts_on", "1657324800"),  # nor one in a string (pydantic reads it as one)
        ("starts_on", "2022/07/09"),
        ("starts_on", "2022-02-30"),
        ("kind", "BID_SUSPENSION"),  # enum values are exact
        ("duration_months", "18"),  # no numbers in strings
        ("duration_months", 18.0),  # no floats for ints
        ("duration_months", True),  # no booleans for ints
        ("serious", "true"),
        ("serious", 1),
        ("authority", "   "),  # blank after stripping
        ("grounds", "information_leakage"),  # a string is not a list
    ],
)
def test_strict_json_refuses_coercions(field: str, value: object) -> None:
    payload = example("sanction.imposed", **{field: value})
    assert f"payload.{field}" in payload_rejection("sanction.imposed", payload)


@pytest.mark.parametrize(
    ("event_type", "field", "value"),
    [
        ("incident.closed", "resolution", "USB recovered\u0000"),  # PostgreSQL refuses U+0000
        ("vendor.registered", "legal_name", "株式会社\u0000B"),
        ("claim.filed", "amount", 2**63),  # more than a PostgreSQL bigint holds
        ("contract.amended", "amount", 2**63),
    ],
)
def test_values_the_database_cannot_store_are_refused(
    event_type: str, field: str, value: object
) -> None:
    reason = payload_rejection(event_type, example(event_type, **{field: value}))
    assert reason.startswith(f"payload.{field}:")


def test_largest_storable_amount_is_accepted() -> None:
    payload = parse_payload("claim.settled", example("claim.settled", amount=2**63 - 1))
    assert payload.model_dump()["amount"] == 2**63 - 1


def test_nan_is_refused_although_the_json_parser_reads_it() -> None:
    # json.dumps writes NaN, which is not JSON; pydantic's parser still reads it.
    raw = json.dumps(envelope("risk.changed", example("risk.changed", new_score=float("nan"))))
    assert "payload.new_score" in rejection(raw)


# --- vendor rules ---------------------------------------------------------------------------


def test_corporate_number_check_digit() -> None:
    assert corporate_number_check_digit("000012050002") == 7  # 国税庁, 7000012050002


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1000012050002", "fails its check digit (first digit should be 7)"),
        ("700001205000", "a corporate number has 13 digits"),
        ("７０００-0120-50003", "corporate number 7000012050003 fails its check digit"),
    ],
)
def test_invalid_corporate_numbers_are_refused(value: str, message: str) -> None:
    identifiers = [{"scheme": "corporate_number", "value": value}]
    reason = payload_rejection(
        "vendor.registered", example("vendor.registered", identifiers=identifiers)
    )
    assert "payload.identifiers.0" in reason and message in reason


WRITTEN_BY_HAND = {"scheme": "corporate_number", "value": "７０００－０１２０ ５０００２"}


@pytest.mark.parametrize(
    ("event_type", "given"),
    [
        ("vendor.registered", {"identifiers": [WRITTEN_BY_HAND]}),
        ("vendor.updated", {"identifiers": [WRITTEN_BY_HAND]}),
        ("vendor.match_reviewed", {"bidder_identifier": WRITTEN_BY_HAND}),
    ],
)
def test_a_corporate_number_written_as_people_write_it_is_stored_as_its_13_digits(
    event_type: str, given: dict[str, Any]
) -> None:
    # The form search and screening read it in: stored so, it matches them, and the stored
    # event reads back as stored (its content hash holds).
    raw = json.dumps(envelope(event_type, example(event_type, **given)))
    stored = canonical_json(parse_event(raw))
    assert '{"scheme":"corporate_number","value":"7000012050002"}' in stored
    assert canonical_json(parse_stored(stored)) == stored


def test_other_schemes_take_free_form_values() -> None:
    identifiers = [{"scheme": "duns", "value": "12-345-6789"}, {"scheme": "uei", "value": "X"}]
    assert parse_payload("vendor.registered", example("vendor.registered", identifiers=identifiers))


def test_vendor_updated_changes_and_clear() -> None:
    payload = parse_payload("vendor.updated", {"clear": ["name_kana"], "legal_name": None})
    assert isinstance(payload, VendorUpdated)
    assert payload.changes() == {"name_kana": None}  # null legal_name: unchanged
    given = parse_payload("vendor.updated", example("vendor.updated"))
    assert isinstance(given, VendorUpdated)
    assert given.changes() == VALID_PAYLOADS["vendor.updated"]


def test_sanction_amended_changes_and_cover_all() -> None:
    payload = parse_payload("sanction.amended", example("sanction.amended", cover_all=["agencies"]))
    assert isinstance(payload, SanctionAmended)
    assert payload.changes() == {
        "agencies": None,
        "categories": ["information_systems", "data_processing"],
    }


@pytest.mark.parametrize(
    ("event_type", "changes"),
    [
        ("vendor.updated", {"clear": ["country", "name_kana"], "legal_name": "株式会社B2"}),
        ("sanction.amended", {"cover_all": ["categories"], "categories": DROP, "ends_on": None}),
        ("sanction.amended", {"ends_on": "2024-07-08", "covers_affiliates": False}),
    ],
)
def test_changes_survive_the_event_stores_full_reserialization(
    event_type: str, changes: dict[str, Any]
) -> None:
    event = parse_event(json.dumps(envelope(event_type, example(event_type, **changes))))
    again = parse_event(event.model_dump_json())  # nulls for every field left out
    assert isinstance(event.payload, VendorUpdated | SanctionAmended)
    assert isinstance(again.payload, VendorUpdated | SanctionAmended)
    assert again.payload.changes() == event.payload.changes()
    assert event.payload.changes()


@pytest.mark.parametrize(
    "period",
    [{"duration_days": 548}, {"ends_on": "2024-01-08"}, {"indefinite": True}],
)
def test_each_single_way_of_giving_a_sanction_period_is_accepted(period: dict[str, Any]) -> None:
    payload = example("sanction.imposed", duration_months=DROP, **period)
    assert isinstance(parse_payload("sanction.imposed", payload), SanctionImposed)


def test_unscoped_sanction_covers_everything_and_ends_on_its_start_day_is_allowed() -> None:
    payload = example("sanction.imposed", duration_months=DROP, ends_on="2022-07-09")
    parsed = parse_payload("sanction.imposed", payload | {"agencies": None})
    assert isinstance(parsed, SanctionImposed)
    assert parsed.agencies is None and parsed.categories is None


@pytest.mark.parametrize(
    ("event_type", "changes", "fragment"),
    [(t, changes, fragment) for t, cases in RULE_VIOLATIONS.items() for changes, fragment in cases],
)
def test_rule_violations_are_refused_with_a_reason(
    event_type: str, changes: dict[str, Any], fragment: str
) -> None:
    assert fragment in payload_rejection(event_type, example(event_type, **changes))


@pytest.mark.parametrize(
    ("event_type", "changes"),
    [(t, changes) for t, cases in RULE_VIOLATIONS.items() for changes, _ in cases],
)
def test_every_rule_violation_has_a_code(event_type: str, changes: dict[str, Any]) -> None:
    """A client says a problem in its user's language by its code, not by the English words:
    a rule of the contract names its problem as pydantic's own checks do."""
    raw = json.dumps(envelope(event_type, example(event_type, **changes)))
    with pytest.raises(EventRejected) as info:
        parse_event(raw)
    assert [p for p in info.value.problems if p.code is None] == []


@pytest.mark.parametrize(
    ("event_type", "changes", "field", "code"),
    [
        (
            "incident.reported",
            {"reported_on": "2022-06-20"},
            "reported_on",
            "reported_before_occurred",
        ),
        ("contract.amended", {"ends_on": DROP}, "", "no_change"),
        ("contract.awarded", {"ends_on": "2021-03-31"}, "ends_on", "ends_before_start"),
        ("sanction.imposed", {"agencies": []}, "agencies", "empty_scope"),
        ("vendor.registered", {"aliases": ["B", "B"]}, "aliases", "duplicate_entries"),
        ("incident.reported", {"occurred_on": "1700-01-01"}, "occurred_on", "year_out_of_range"),
    ],
)
def test_a_rules_code_travels_with_its_field_and_words(
    event_type: str, changes: dict[str, Any], field: str, code: str
) -> None:
    raw = json.dumps(envelope(event_type, example(event_type, **changes)))
    with pytest.raises(EventRejected) as info:
        parse_event(raw)
    (problem,) = info.value.problems
    assert (problem.field, problem.code) == (".".join(("payload", field)).rstrip("."), code)
    # The words are the rule's, in the receipt as in the reason a dead letter keeps.
    assert problem.message in info.value.reason


@pytest.mark.parametrize(
    ("event_type", "changes"),
    [
        ("certificate.submitted", {"kind": "data_erasure", "subcontract_id": DROP}),
        ("audit.completed", {"outcome": "passed", "findings": DROP}),
        ("contract.terminated", {"reason": "other"}),
        ("contract.awarded", {"currency": DROP, "ends_on": "2021-04-01"}),
        (
            "vendor.eligibility_changed",
            {"eligible": True, "reasons": [], "eligible_again_on": None},
        ),
        ("vendor.eligibility_changed", {"eligible_again_on": None}),  # indefinite
        ("risk.changed", {"old_score": None, "old_band": None}),  # first score
        ("migration.plan_scheduled", {"solver_status": "infeasible", "phases": []}),
        ("migration.item_status_changed", {"status": "done", "note": DROP}),
    ],
)
def test_rule_boundaries_are_accepted(event_type: str, changes: dict[str, Any]) -> None:
    assert type(parse_payload(event_type, example(event_type, **changes))).event_type == event_type


def test_currency_defaults_to_yen() -> None:
    payload = parse_payload("claim.settled", example("claim.settled"))
    assert payload.model_dump()["currency"] == "JPY"
