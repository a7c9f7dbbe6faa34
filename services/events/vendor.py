"""Payloads of vendor events: who a vendor is, what it is called, and whom it belongs to."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from services.events.base import (
    Identifier,
    LocalDate,
    Payload,
    ShortText,
    StrictModel,
    refuse_duplicates,
)

# Scheme names are data (any registry can add one), so only their spelling is fixed.
SchemeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,31}$")]
# ISO 3166-1 alpha-2; the pattern keeps lowercase or three-letter codes out of the record.
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

CORPORATE_NUMBER = "corporate_number"


def corporate_number_check_digit(base: str) -> int:
    """The check digit of a 12-digit corporate number base (法人番号, DESIGN.md).

    `9 − (Σ Pn·Qn mod 9)`: Pn is the n-th digit counted from the right, Qn is 1 for odd n
    and 2 for even n.
    """
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), 1))
    return 9 - total % 9


class VendorIdentifierRef(StrictModel):
    """An identifier of the vendor in some scheme: a corporate number, an LEI, a DUNS, …"""

    scheme: SchemeName = Field(
        description="Identifier scheme, e.g. corporate_number, lei, duns, uei, internal."
    )
    value: ShortText = Field(description="The identifier as the scheme writes it.")

    @model_validator(mode="after")
    def _check_corporate_number(self) -> Self:
        # An invalid corporate number would never match the vendor again, so it is refused
        # here, where the producer still gets the error, rather than stored.
        if self.scheme != CORPORATE_NUMBER:
            return self
        value = self.value
        if len(value) != 13 or not (value.isascii() and value.isdigit()):
            raise ValueError(f"value: a corporate number has 13 ASCII digits, got {value!r}")
        expected = corporate_number_check_digit(value[1:])
        if int(value[0]) != expected:
            raise ValueError(
                f"value: corporate number {value} fails its check digit "
                f"(first digit should be {expected})"
            )
        return self


def _check_identity_lists(
    identifiers: list[VendorIdentifierRef] | None, aliases: list[str] | None
) -> None:
    if identifiers:
        refuse_duplicates(
            "identifiers",
            ((ref.scheme, ref.value) for ref in identifiers),
            "duplicate (scheme, value) pairs",
        )
    if aliases:
        refuse_duplicates("aliases", aliases)


class VendorRegistered(Payload):
    """A vendor becomes known to the registry, with its names and identifiers."""

    event_type: ClassVar[str] = "vendor.registered"

    legal_name: ShortText = Field(description="Registered legal name, e.g. 株式会社B.")
    name_kana: ShortText | None = Field(
        default=None, description="Kana reading of the legal name (フリガナ)."
    )
    name_en: ShortText | None = Field(default=None, description="English name, if any.")
    identifiers: list[VendorIdentifierRef] = Field(
        default=[], description="Identifiers in any scheme; no (scheme, value) pair twice."
    )
    aliases: list[ShortText] = Field(
        default=[], description="Other names the vendor is known by (trade names, brands)."
    )
    country: CountryCode | None = Field(
        default=None, description="Country of registration, ISO 3166-1 alpha-2 (JP, US, …)."
    )

    @model_validator(mode="after")
    def _check_lists(self) -> Self:
        _check_identity_lists(self.identifiers, self.aliases)
        return self


class ClearableVendorField(StrEnum):
    """Vendor fields that may become empty."""

    NAME_KANA = "name_kana"
    NAME_EN = "name_en"
    COUNTRY = "country"


class VendorUpdated(Payload):
    """Some of a vendor's names, identifiers, aliases or country change.

    A field left out (or null) is unchanged; `clear` lists the fields that become empty. A list
    given replaces the whole list (send `[]` to empty it). `changes()` returns exactly what
    changes. Clearing is explicit, not a null, because a stored event is re-serialized with
    every field and its nulls, and must mean the same afterwards.
    """

    event_type: ClassVar[str] = "vendor.updated"

    legal_name: ShortText | None = Field(default=None, description="New legal name.")
    name_kana: ShortText | None = Field(default=None, description="New kana reading.")
    name_en: ShortText | None = Field(default=None, description="New English name.")
    identifiers: list[VendorIdentifierRef] | None = Field(
        default=None, description="Replaces all identifiers."
    )
    aliases: list[ShortText] | None = Field(default=None, description="Replaces all aliases.")
    country: CountryCode | None = Field(
        default=None, description="New country, ISO 3166-1 alpha-2."
    )
    clear: list[ClearableVendorField] = Field(
        default=[], description="Fields that become empty: name_kana, name_en, country."
    )

    def changes(self) -> dict[str, Any]:
        """The fields this event changes, with their new values (None: cleared)."""
        changed = {name: value for name, value in self if name != "clear" and value is not None}
        changed.update({field.value: None for field in self.clear})
        return changed

    @model_validator(mode="after")
    def _check_change(self) -> Self:
        refuse_duplicates("clear", (field.value for field in self.clear))
        both = [field.value for field in self.clear if getattr(self, field.value) is not None]
        if both:
            raise ValueError(f"clear: {', '.join(both)} cannot be both given and cleared")
        if not self.changes():
            raise ValueError(
                "no change given: set at least one of legal_name, name_kana, name_en, "
                "identifiers, aliases, country, or clear"
            )
        _check_identity_lists(self.identifiers, self.aliases)
        return self


class VendorRenamed(Payload):
    """A vendor takes a new legal name; its former names keep matching in searches."""

    event_type: ClassVar[str] = "vendor.renamed"

    new_legal_name: ShortText = Field(description="The legal name from `effective_on` on.")
    new_name_kana: ShortText | None = Field(default=None, description="Kana reading of it.")
    new_name_en: ShortText | None = Field(default=None, description="New English name.")
    effective_on: LocalDate = Field(description="First day the new name is the legal name.")


class AffiliationRelation(StrEnum):
    """What the related vendor is to the vendor the event is about."""

    PARENT = "parent"
    SUBSIDIARY = "subsidiary"


class AffiliationChange(StrEnum):
    ADDED = "added"
    REMOVED = "removed"


class VendorAffiliationChanged(Payload):
    """A parent or subsidiary relation between two vendors starts or ends.

    Sanctions that cover affiliates reach the vendors related this way.
    """

    event_type: ClassVar[str] = "vendor.affiliation_changed"

    related_vendor_id: Identifier = Field(description="The other vendor of the relation.")
    relation: AffiliationRelation = Field(
        description="What the related vendor is to this vendor: its parent or its subsidiary."
    )
    change: AffiliationChange = Field(description="Whether the relation starts or ends.")
    effective_on: LocalDate = Field(description="First day the change applies.")
    ownership_percent: float | None = Field(
        default=None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Share of the subsidiary held by the parent, in percent.",
    )
