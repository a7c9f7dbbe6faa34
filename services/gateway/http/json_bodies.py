"""JSON as the API reads it: request bodies, GET's `variables` and `extensions`, and
WebSocket messages.

orjson reads it about ten times as fast as json (a 5,000-bidder screen's body), but not
always as json would, nor as the client meant:

- an integer beyond 64 bits (`18446744073709551616`, or below -2**63) it reads as a float,
  silently: the client sent an integer, and a type's refusal ("Int cannot represent
  1.8446744073709552e+19") would speak of a number it never sent. Such an integer has at
  least 20 digits, or 19 after a minus sign; a text with such a run of digits (in a number,
  or inside a string, which costs only the slower read) is read by json, which keeps every
  integer exact;
- a lone UTF-16 surrogate spelt in a string (`"\\ud800"`) it refuses; json reads it, and the
  API refuses it at its field, with its path;
- bytes that are not UTF-8 (JSON in Shift_JIS, as a Japanese system may send it) neither
  reads: json raises UnicodeDecodeError, not a JSON error, which reached the client as a 500.
  It is `NotUtf8` here, a JSON error that says what to send instead;
- arrays and objects nested over 1,024 deep it refuses, and json then met Python's recursion
  limit: a RecursionError, a plain-text 500 with a traceback for a 2 KB body. It is
  `NestedTooDeep` here, a JSON error saying so.
"""

from __future__ import annotations

import json
import re

import orjson

# A run of digits orjson may read as a float (see above).
_LONG_DIGITS = re.compile(r"\d{20}|-\d{19}")
_LONG_DIGIT_BYTES = re.compile(rb"\d{20}|-\d{19}")


class SaidWhy(json.JSONDecodeError):
    """JSON refused for a reason of this module's; a JSON error, so every reader of JSON
    errors refuses it, and its `msg` is the whole message for the client."""


class NotUtf8(SaidWhy):
    """A body that is not UTF-8 (`msg` without json's position after it)."""

    def __init__(self, error: UnicodeDecodeError) -> None:
        given: bytes = error.object
        super().__init__(
            f"the body must be JSON in UTF-8: byte 0x{given[error.start]:02x} at offset"
            f" {error.start} is not UTF-8 (Shift_JIS and other encodings are not read)",
            given.decode("utf-8", errors="replace"),
            error.start,
        )


def read_json(data: str | bytes) -> object:
    """What the JSON text `data` holds, every integer exact; json.JSONDecodeError (NotUtf8
    for bytes that are not UTF-8, NestedTooDeep) when it is not JSON it reads."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _read_slowly(data)
    pattern = _LONG_DIGIT_BYTES if isinstance(data, bytes) else _LONG_DIGITS
    if pattern.search(data):  # type: ignore[arg-type]  # the pattern of data's own type
        return _read_slowly(data)
    return value


def _read_slowly(data: str | bytes) -> object:
    try:
        # Bytes in UTF-16 or UTF-32, or with a byte order mark, json still reads, as before.
        return json.loads(data)
    except UnicodeDecodeError as error:
        raise NotUtf8(error) from None
    except RecursionError:
        raise NestedTooDeep(data) from None


class NestedTooDeep(SaidWhy):
    """JSON whose arrays and objects nest deeper than it can be read (orjson's 1,024 levels;
    json's is Python's recursion limit, some 1,000 less what the call stack holds)."""

    def __init__(self, data: str | bytes) -> None:
        text = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
        super().__init__(
            "not JSON the API reads: its arrays and objects are nested too deep (over 1,000"
            " levels within each other)",
            text,
            0,
        )
