"""A corpus of bad inputs, each one a producer's mistake ingest must dead-letter with a
reason, and the valid events to interleave with them (every kind found in testing, and more).

Every input is distinct (a dead letter is recorded once per distinct input and stage), and
each bad one is refused by ingest itself, before any service sees it; the valid ones are
registrations of distinct vendors, which the registry accepts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from services.events.catalog import EMITTED_TYPES, ENVELOPES, EVENT_TYPES, MAX_EVENT_BYTES
from tests.support.event_examples import DROP, RULE_VIOLATIONS, envelope, example


@dataclass(frozen=True)
class BadInput:
    kind: str
    raw: bytes


def _line(event: Any) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def _valid(**changes: Any) -> dict[str, Any]:
    """A valid input event of the catalog, with envelope `changes`."""
    return envelope("sanction.imposed", example("sanction.imposed")) | changes


def _required_fields() -> Iterator[tuple[str, str]]:
    for event_type, model in ENVELOPES.items():
        payload = model.model_fields["payload"].annotation
        for name, field in payload.model_fields.items():  # type: ignore[union-attr]
            if field.is_required():
                yield event_type, name


def _wrong_types() -> Iterator[tuple[str, Any]]:
    for field, value in [
        ("event_id", 42),
        ("event_id", "not-a-uuid"),
        ("event_id", None),
        ("schema_version", True),
        ("schema_version", 1.0),
        ("schema_version", "1"),
        ("schema_version", 2),
        ("occurred_at", "1700000000"),
        ("occurred_at", 1700000000),
        ("occurred_at", "2022-07-08T10:00:00"),  # no offset
        ("occurred_at", "2022-02-30T10:00:00+09:00"),
        ("occurred_at", "0999-07-08T10:00:00+09:00"),  # outside the plausible years
        ("occurred_at", "令和4年7月8日"),
        ("source", ""),
        ("source", "   "),
        ("source", "x" * 301),
        ("source", ["city"]),
        ("vendor_id", ""),
        ("vendor_id", "vendor b"),
        ("vendor_id", "ベンダー"),
        ("vendor_id", "v" * 129),
        ("vendor_id", 7),
        ("payload", None),
        ("payload", []),
        ("payload", "{}"),
        ("recorded_by", {"subject": "mallory", "role": "admin"}),  # only the API sets it
    ]:
        yield f"envelope {field}={json.dumps(value)[:40]}", _valid(**{field: value})


def _payload_mistakes() -> Iterator[tuple[str, Any]]:
    for event_type, field in _required_fields():
        payload = example(event_type, **{field: DROP})
        yield f"{event_type} without {field}", envelope(event_type, payload)
    for event_type, field in _required_fields():
        payload = example(event_type, **{field: {"nested": "object"}})
        yield f"{event_type} with an object as {field}", envelope(event_type, payload)
    for event_type in EVENT_TYPES:
        extra = example(event_type) | {"unexpected_field": 1}
        yield f"{event_type} with an unknown field", envelope(event_type, extra)
        yield f"{event_type} with a list as payload", envelope(event_type, [])  # type: ignore[arg-type]
        for number, (changes, _reason) in enumerate(RULE_VIOLATIONS.get(event_type, [])):
            payload = example(event_type, **changes)
            yield f"{event_type} breaking rule {number}", envelope(event_type, payload)
    for event_type in sorted(EMITTED_TYPES):
        yield f"{event_type} from a producer", envelope(event_type, example(event_type))
    for number, name in enumerate(["vendor.teleported", "", "VENDOR.REGISTERED", "x" * 5000]):
        yield f"unknown event type {number}", _valid(event_type=name)
    sanction = example("sanction.imposed")
    for field, value in [
        ("starts_on", "2022-02-30"),
        ("starts_on", "1657324800"),
        ("starts_on", "令和1年4月30日"),
        ("duration_months", -1),
        ("duration_months", "18"),
        ("duration_months", 10**30),
        ("kind", "BID_SUSPENSION"),
        ("grounds", "dishonest_conduct"),
        ("serious", "yes"),
    ]:
        yield (
            f"sanction.imposed {field}={value!r}",
            envelope("sanction.imposed", {**sanction, field: value}),
        )
    registered = example("vendor.registered")
    for scheme, value in [
        ("corporate_number", "7000012050001"),  # wrong check digit
        ("corporate_number", "700001205000"),  # twelve digits
        ("corporate_number", "７００００１２０５０００１"),  # full width (taken), wrong check digit
        ("lei", "7LTWFZYICNSX8D621K87"),  # wrong check digits
        ("lei", "not-an-lei"),
    ]:
        identifiers = [{"scheme": scheme, "value": value}]
        payload = {**registered, "identifiers": identifiers}
        yield f"identifier {scheme} {value}", envelope("vendor.registered", payload)


def _raw_mistakes() -> Iterator[tuple[str, bytes]]:
    """Input that is not a JSON event at all, or could not be stored as text as it is."""
    good = _line(_valid())
    yield from [
        ("empty line", b""),
        ("blank line", b"   \t"),
        ("not JSON", b"{not json"),
        ("truncated", good[: len(good) // 2]),
        ("trailing garbage", good + b"}"),
        ("a JSON array", b"[1, 2]"),
        ("a JSON string", b'"sanction.imposed"'),
        ("a JSON number", b"42"),
        ("JSON null", b"null"),
        ("two events on one line", good + good),
        ("NaN", good.replace(b'"serious": true', b'"serious": NaN')),
        ("invalid UTF-8", b'{"event_type": "vendor.registered\xff\xfe"}'),
        ("invalid UTF-8 in a value", good.replace(b"City", b"C\xc3\x28ity")),
        ("Latin-1, not UTF-8", _line(_valid(source="café")).replace("é".encode(), b"\xe9")),
        ("a UTF-16 file", json.dumps(_valid()).encode("utf-16")),
        ("a byte-order mark", b"\xef\xbb\xbf" + good),
        ("NUL byte", good.replace(b'"serious"', b'"ser\x00ious"')),
        ("NUL in a key", good.replace(b'"payload"', b'"payload\\u0000"')),
        ("NUL in a value", good.replace(b"City", b"Ci\\u0000ty")),
        ("NUL in the type", b'{"event_type": "x\\u0000"}'),
        ("lone surrogate", good.replace(b"City", b"Ci\\ud800ty")),
        ("lone low surrogate in a key", good.replace(b'"serious"', b'"\\udc80"')),
        ("lone surrogate as the type", b'{"event_type": "\\ud800"}'),
        (
            "lone surrogate as the vendor id (the Kafka key)",
            good.replace(b'"vendor-b"', b'"\\ud800"'),
        ),
        ("deep nesting (arrays)", b"[" * 100_000 + b"]" * 100_000),
        ("deep nesting (objects)", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        (
            "deep nesting in the payload",
            good.replace(b'"serious": true', b'"serious": ' + b"[" * 10_000 + b"]" * 10_000),
        ),
        ("10 MB", _line(_valid(source="x" * 10_000_000))),
        ("just over the size limit", _line(_valid(source="y" * MAX_EVENT_BYTES))),
        ("a duplicated key", good.replace(b'"serious": true', b'"serious": true, "serious": 1')),
    ]
    for number, control in enumerate(["\x01", "\x1f", "\x7f", "\u2028", "\ufeff"]):
        yield f"control character {number} in the type", _line({"event_type": control})


def corpus() -> list[BadInput]:
    """At least 300 distinct bad inputs, each for ingest to refuse."""
    found = [
        BadInput(kind, _line(event)) for kind, event in [*_wrong_types(), *_payload_mistakes()]
    ]
    found += [BadInput(kind, raw) for kind, raw in _raw_mistakes()]
    distinct = {item.raw: item for item in found}
    return list(distinct.values())


def valid_registrations(count: int) -> list[tuple[uuid.UUID, bytes]]:
    """Registrations of `count` distinct vendors, with their event ids."""
    events = []
    for number in range(count):
        payload = example(
            "vendor.registered", legal_name=f"株式会社コーパス{number}", identifiers=[]
        )
        event = envelope("vendor.registered", payload, vendor_id=f"corpus-vendor-{number}")
        events.append((uuid.UUID(event["event_id"]), _line(event)))
    return events


def interleaved(bad: list[BadInput], valid: list[tuple[uuid.UUID, bytes]]) -> list[bytes]:
    """Bad and valid inputs mixed through each other, so that every batch holds both."""
    lines: list[bytes] = []
    ratio = max(1, len(bad) // max(1, len(valid)))
    good = iter(valid)
    for number, item in enumerate(bad):
        lines.append(item.raw)
        if number % ratio == 0:
            lines.extend(raw for _, raw in [next(good, (None, b""))] if raw)
    lines.extend(raw for _, raw in good)
    return lines
