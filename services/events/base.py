"""Building blocks shared by every event model: strict base model, identifiers, the envelope."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# Identifiers travel as Kafka keys and URL parts, so they are restricted to a safe alphabet.
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
VendorId = Identifier
# PostgreSQL refuses U+0000 in text and jsonb, so an event carrying it could be accepted here
# and then fail to be stored; it is refused up front instead.
_NO_NUL = r"^[^\x00]*$"
NonEmptyText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=_NO_NUL)
]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=_NO_NUL)
]
# A calendar date in the registry's time zone (DESIGN.md: dates are local calendar dates).
LocalDate = dt.date


class StrictModel(BaseModel):
    """Refuses unknown fields and coercions: producers must send exactly the contract."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Payload(StrictModel):
    """Base of every event payload. `event_type` names the catalog entry it belongs to."""

    event_type: ClassVar[str]


class EventEnvelope(StrictModel):
    """The envelope every event travels in; `payload` is the typed payload of `event_type`."""

    event_id: uuid.UUID = Field(description="Idempotency key: the same id is applied once.")
    event_type: str
    schema_version: int = Field(ge=1)
    occurred_at: AwareDatetime = Field(description="When it happened, with its UTC offset.")
    source: ShortText = Field(description="The producing system, e.g. city.procurement.")
    vendor_id: VendorId = Field(description="The vendor the event is about; the Kafka key.")
    payload: Payload
