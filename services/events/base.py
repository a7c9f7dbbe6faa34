"""Building blocks shared by every event model: strict base model, identifiers, the envelope."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    Strict,
    StringConstraints,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from services.events.error_words import worded
from services.events.text_characters import ONE_LINE, SEVERAL_LINES

# Identifiers travel as Kafka keys and URL parts, so they are restricted to a safe alphabet.
# Its length is checked on its own, so that one too long is told so, not that it mismatches.
IDENTIFIER_MAX_CHARS = 128
Identifier = Annotated[
    str,
    StringConstraints(
        max_length=IDENTIFIER_MAX_CHARS,
        pattern=worded(
            r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$",
            "give letters A–Z or a–z, digits and . _ : - only (no spaces), starting with a"
            " letter or a digit",
        ),
    ),
]
VendorId = Identifier
# PostgreSQL refuses U+0000 in text and jsonb, so an event carrying it could be accepted here
# and then fail to be stored; it is refused up front instead.
_NO_NUL = worded(
    r"^[^\x00]*$", "contains a NUL character (U+0000), which cannot be stored: remove it"
)
# The longest free text an event field holds (a reason, a line of what changed), and the
# longest short one (a name, a title). Each declares how many lines it holds by nature
# (`text_characters.TextForm`), which the API's receipt holds what a person records to; the
# contract does not, so that events stored before are read as they were.
TEXT_MAX_CHARS, SHORT_TEXT_MAX_CHARS = 2000, 300
_TEXT = StringConstraints(
    strip_whitespace=True, min_length=1, max_length=TEXT_MAX_CHARS, pattern=_NO_NUL
)
_SHORT_TEXT = StringConstraints(
    strip_whitespace=True, min_length=1, max_length=SHORT_TEXT_MAX_CHARS, pattern=_NO_NUL
)
NonEmptyText = Annotated[str, _TEXT, SEVERAL_LINES]
ShortText = Annotated[str, _SHORT_TEXT, ONE_LINE]
# A short text of several lines: a note, a window's reason, an address as a list wrote it.
ShortNote = Annotated[str, _SHORT_TEXT, SEVERAL_LINES]


def refusal(code: str, message: str) -> PydanticCustomError:
    """A rule's refusal with a stable code (the error's type, a receipt's `code`), so that a
    client can say it in its user's language; the message stays the contract's words. A
    plain ValueError would reach the receipt without a code."""
    return PydanticCustomError(code, "{message}", {"message": message})


def cut(text: str, limit: int) -> str:
    """`text` made to fit a field of `limit` characters: cut, with an ellipsis, when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Dates outside these years are typing errors, and far-future ones would overflow period
# arithmetic (or PostgreSQL) downstream, stalling a consumer; they are refused at the door.
# 1868 is the first year of the Meiji era, the oldest era the registry reads.
FIRST_YEAR, LAST_YEAR = 1868, 2999


_Day = TypeVar("_Day", dt.date, dt.datetime)


def _plausible_year(value: _Day) -> _Day:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise refusal("year_out_of_range", f"year {value.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return value


# pydantic reads a string of digits as seconds since 1970, even in strict mode
# ("1700000000" would be an `occurred_at`, "1704067200" a date): in JSON, dates and times are
# accepted only written out as ISO 8601, as the contract says. The check runs before pydantic
# parses the value, which then has to be lax (a strict one refuses every string it is given
# by a validator); the check itself is stricter than strict mode was.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_ISO_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _written_as(
    kind: type[dt.date], shape: re.Pattern[str], example: str
) -> Callable[[object], object]:
    def check(value: object) -> object:
        if isinstance(value, str):
            if not shape.match(value):
                raise refusal(
                    "not_iso_8601", f"expected ISO 8601, like {example}; got {value[:40]!r}"
                )
        elif type(value) is not kind:
            got = type(value).__name__
            raise refusal("not_iso_8601", f"expected ISO 8601, like {example}; got {got}")
        return value

    return check


# A calendar date in the registry's time zone: a day as people there count it, not an instant.
LocalDate = Annotated[
    dt.date,
    Strict(False),
    BeforeValidator(_written_as(dt.date, _ISO_DATE, "2024-04-01")),
    AfterValidator(_plausible_year),
]
Timestamp = Annotated[
    AwareDatetime,
    Strict(False),
    BeforeValidator(_written_as(dt.datetime, _ISO_DATE_TIME, "2024-04-01T09:30:00+09:00")),
    AfterValidator(_plausible_year),
]


def _exactly_an_int(value: object) -> object:
    # A Literal[1] compares by equality, so strict mode still lets `true` and `1.0` through.
    if type(value) is not int:
        raise refusal(
            "not_an_integer", f"expected an integer; got {type(value).__name__} {value!r}"
        )
    return value


# The envelope's format version: an integer, never a boolean or a float that equals one.
SchemaVersion = BeforeValidator(_exactly_an_int)


def refuse_duplicates(
    field: str, values: Iterable[Hashable], what: str = "duplicate entries"
) -> None:
    """Lists are sets in this contract; a repeated entry is a producer's mistake. Each is
    named as the producer wrote it (a day in ISO form, a text quoted), not as Python holds it."""
    repeated = [_as_sent(value) for value, count in Counter(values).items() if count > 1]
    if repeated:
        raise refusal("duplicate_entries", f"{field}: {what} {', '.join(repeated)}")


def _as_sent(value: Hashable) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


class StrictModel(BaseModel):
    """Refuses unknown fields and coercions: producers must send exactly the contract."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Payload(StrictModel):
    """Base of every event payload. `event_type` names the catalog entry it belongs to."""

    event_type: ClassVar[str]


class PartialChange(Payload):
    """A payload that changes only the fields its sender gave, so that a field left out
    ("keep") and a field given as null ("clear") differ.

    The difference lives in `model_fields_set`, which only the JSON's keys carry: such a
    payload is written without the fields it was not given, so that what is read back from
    the event store, Kafka or a rebuild has the same fields set as what was sent. Every other
    payload is written whole, as before (its stored bytes and content hash are unchanged).
    An event stored before this rule carries every field, nulls included, and is read back
    with all of them set: replayed, it does what it did when it was first applied.
    """

    @model_serializer(mode="wrap")
    def _only_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        written: dict[str, Any] = handler(self)
        return {name: value for name, value in written.items() if name in self.model_fields_set}


class LaterFields(StrictModel):
    """A model (a payload, or one inside an event) that gained fields (`ADDED_LATER`, each
    with a default) after events holding it were stored: such a field is written only when
    it was given (read from the JSON, or set by the code that made the event).

    A stored event's content hash is checked against its JSON as read back and written again
    (`vendorwatch verify`, ingest's comparison of a resent event): an event stored before the
    field existed would be written with it, at its default, and its chain would read as
    edited. Left out unless given, every stored event is written as it was stored: one from
    before the field without it, one from after with it, whatever its value.
    """

    ADDED_LATER: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _later_fields_as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        written: dict[str, Any] = handler(self)
        for name in self.ADDED_LATER - self.model_fields_set:
            written.pop(name, None)
        return written


# The source of the events people record through the API's mutations: their `occurred_at` is
# the API's clock at the request, so it is part of how they were recorded, as `recorded_by` is.
API_SOURCE = "vendorwatch.api"


class RecordedBy(StrictModel):
    """Who recorded the event through the API, and from where: the audit trail. Set by the
    API from the caller's verified token (never taken from the caller's input)."""

    subject: ShortText = Field(description="The token's subject: the person or system.")
    role: ShortText
    agencies: list[ShortText] = Field(default=[], description="The agencies the token is for.")
    client: ShortText | None = Field(default=None, description="The caller's network address.")


class EventEnvelope(StrictModel):
    """The envelope every event travels in; `payload` is the typed payload of `event_type`."""

    event_id: uuid.UUID = Field(description="Idempotency key: the same id is applied once.")
    event_type: str
    schema_version: int = Field(ge=1)
    occurred_at: Timestamp = Field(description="When it happened, with its UTC offset.")
    source: ShortText = Field(description="The producing system, e.g. city.procurement.")
    vendor_id: VendorId = Field(description="The vendor the event is about; the Kafka key.")
    payload: Payload
    recorded_by: RecordedBy | None = Field(
        default=None, description="Set on events recorded through the API: who, from where."
    )
