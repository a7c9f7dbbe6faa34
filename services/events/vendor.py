"""Payloads of vendor events: who a vendor is, what it is called, and whom it belongs to."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator
from stdnum import lei
from stdnum.iso7064 import mod_97_10
from stdnum.jp import cn as corporate_number

from services.events.base import (
    Identifier,
    LaterFields,
    LocalDate,
    Payload,
    ShortText,
    StrictModel,
    refusal,
    refuse_duplicates,
)
from services.events.error_words import worded
from services.events.identifier_forms import compact_identifier

# Scheme names are data (any registry can add one), so only their spelling is fixed.
SchemeName = Annotated[
    str,
    StringConstraints(
        pattern=worded(
            r"^[a-z][a-z0-9_]{1,31}$",
            "give 2 to 32 lowercase letters a–z, digits and _, starting with a letter,"
            " e.g. corporate_number",
        )
    ),
]
# ISO 3166-1 alpha-2; the pattern keeps lowercase or three-letter codes out of the record.
CountryCode = Annotated[
    str,
    StringConstraints(
        pattern=worded(r"^[A-Z]{2}$", "give a two-letter ISO 3166-1 code such as JP (capitals)")
    ),
]

CORPORATE_NUMBER = "corporate_number"
LEI = "lei"
# ISO 17442: 18 upper-case letters or digits, then two decimal check digits.
_LEI_SHAPE = re.compile(r"[0-9A-Z]{18}[0-9]{2}")


def corporate_number_check_digit(base: str) -> int:
    """The check digit of a 12-digit corporate number base (法人番号): `9 − (Σ Pn·Qn mod 9)`,
    Pn the n-th digit from the right, Qn 1 for odd n and 2 for even n."""
    return int(corporate_number.calc_check_digit(base))


def lei_check_digits(base: str) -> int:
    """The two check digits (0-99, written with two digits) of an 18-character LEI base:
    ISO 17442 uses ISO 7064 MOD 97-10 (letters read as A=10 … Z=35)."""
    return int(mod_97_10.calc_check_digits(base))


def _corporate_number(written: str) -> str:
    # Read as every lookup reads it (full-width digits, spaces, hyphens: how the number is
    # printed and typed in Japan), and recorded in that one form, 13 ASCII digits. Every
    # corporate number stored before was already in it, so it reads back unchanged.
    value = compact_identifier(written)
    if len(value) != 13 or not (value.isascii() and value.isdigit()):
        raise refusal(
            "corporate_number_form",
            f"a corporate number has 13 digits (spaces and hyphens aside), got {written!r}",
        )
    if not corporate_number.is_valid(value):
        expected = corporate_number_check_digit(value[1:])
        raise refusal(
            "check_digit_mismatch",
            f"corporate number {value} fails its check digit (first digit should be {expected})",
        )
    return value


def _lei(written: str) -> str:
    # Read as every lookup reads it, as the corporate number is: an LEI printed in groups of
    # four, or typed in lower case, is the LEI in upper case. Every LEI stored before was in
    # that form already, so it reads back unchanged.
    value = compact_identifier(written)
    if not _LEI_SHAPE.fullmatch(value):
        raise refusal(
            "lei_form",
            "an LEI has 20 characters (spaces and hyphens aside), 18 letters A-Z or digits"
            f" and then two check digits, got {written!r}",
        )
    if not lei.is_valid(value):
        raise refusal(
            "check_digit_mismatch",
            f"LEI {value} fails its ISO 7064 check digits "
            f"(expected {lei_check_digits(value[:18]):02d})",
        )
    return value


# Schemes whose values have a known form, each read into it; other schemes are free-form text.
_VALUE_FORMS = {CORPORATE_NUMBER: _corporate_number, LEI: _lei}


def identifier_value(scheme: str, value: str) -> str:
    """`value` as the event records it for `scheme`: a corporate number in its 13 ASCII
    digits and an LEI in its 20 upper-case characters, however written; a value of a
    free-form scheme as given. Raises ValueError, saying
    why, when it is not a possible identifier of `scheme` (a corporate number's or an LEI's
    form and check digits)."""
    read = _VALUE_FORMS.get(scheme)
    return value if read is None else read(value)


class VendorIdentifierRef(StrictModel):
    """An identifier of the vendor in some scheme: a corporate number, an LEI, a DUNS, …"""

    scheme: SchemeName = Field(
        description="Identifier scheme, e.g. corporate_number, lei, duns, uei, internal."
    )
    value: ShortText = Field(
        description="The identifier as the scheme writes it. A corporate number or an LEI may"
        " be written with full-width characters, spaces or hyphens (an LEI in lower case too),"
        " as lookups take it, and is recorded as its 13 digits or 20 upper-case characters."
    )

    @field_validator("value")
    @classmethod
    def _read_value(cls, value: str, info: ValidationInfo) -> str:
        # An invalid corporate number or LEI would never match the vendor again, so it is
        # refused here, where the producer still gets the error, rather than stored. (No
        # scheme in `info.data`: the scheme itself was refused, and that error is reported.)
        return identifier_value(info.data.get("scheme", ""), value)


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


class VendorKind(StrEnum):
    """Whether a vendor is a firm or a natural person, as debarment lists (the IDB's Entity
    column) and SAM.gov's exclusions (Classification) tell them apart."""

    FIRM = "firm"
    INDIVIDUAL = "individual"


class VendorRegistered(Payload, LaterFields):
    """A vendor becomes known to the registry, with its names and identifiers."""

    event_type: ClassVar[str] = "vendor.registered"
    # `kind` came after registrations were stored: one without it is written as it was.
    ADDED_LATER = frozenset({"kind"})

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
    kind: VendorKind | None = Field(
        default=None,
        description="A firm or an individual (a natural person), when the source says which;"
        " null: not known.",
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


class VendorUpdated(Payload, LaterFields):
    """Some of a vendor's names, identifiers, aliases, country or kind change.

    A field left out (or null) is unchanged; `clear` lists the fields that become empty. A list
    given replaces the whole list (send `[]` to empty it). `changes()` returns exactly what
    changes. Clearing is explicit, not a null, because a stored event is re-serialized with
    every field and its nulls, and must mean the same afterwards. A legal, kana or English
    name it replaces or clears keeps matching in screening and searches as a former name,
    whose last day of use is not known (null): the update gives no day. A new name the
    vendor took on a day is a rename (`vendor.renamed`), which dates it.
    """

    event_type: ClassVar[str] = "vendor.updated"
    # `kind` came after updates were stored: one without it is written as it was.
    ADDED_LATER = frozenset({"kind"})

    legal_name: ShortText | None = Field(default=None, description="New legal name.")
    name_kana: ShortText | None = Field(default=None, description="New kana reading.")
    name_en: ShortText | None = Field(default=None, description="New English name.")
    identifiers: list[VendorIdentifierRef] | None = Field(
        default=None,
        description="Replaces all identifiers; those it replaces keep finding the vendor"
        " (screening, bidEligibility, search) as its former identifiers.",
    )
    aliases: list[ShortText] | None = Field(default=None, description="Replaces all aliases.")
    country: CountryCode | None = Field(
        default=None, description="New country, ISO 3166-1 alpha-2."
    )
    kind: VendorKind | None = Field(
        default=None,
        description="Whether the vendor is a firm or an individual (a natural person): said"
        " of a vendor registered without it (an import joining another list's vendor), or"
        " corrected.",
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
            raise refusal(
                "given_and_cleared", f"clear: {', '.join(both)} cannot be both given and cleared"
            )
        if not self.changes():
            raise refusal(
                "no_change",
                "no change given: set at least one of legal_name, name_kana, name_en, "
                "identifiers, aliases, country, kind, or clear",
            )
        _check_identity_lists(self.identifiers, self.aliases)
        return self


class VendorRenamed(Payload):
    """A vendor takes a new legal name; its former names keep matching in screening and
    searches, each listed as used until the day before the rename took effect. The old
    name's kana reading and English name go with it (listed as former names too) unless the
    rename gives new ones: for renames recorded from 2026-12-08 on (before, they stayed).

    Renames are recorded in the order they took effect: one effective before the vendor's
    latest rename is refused (`before_last_rename`, naming it; one on its day is taken, as a
    correction of it), and so is one giving only the names the vendor has (`no_change`).
    """

    event_type: ClassVar[str] = "vendor.renamed"

    new_legal_name: ShortText = Field(description="The legal name from `effective_on` on.")
    new_name_kana: ShortText | None = Field(
        default=None,
        description="Kana reading of it. Left out with a new legal name: the vendor has no"
        " reading (the old name's stays matching as a former name; recorded before"
        " 2026-12-08, the old reading stayed).",
    )
    new_name_en: ShortText | None = Field(
        default=None,
        description="New English name. Left out with a new legal name: the vendor has none"
        " (the old name's stays matching as a former name; recorded before 2026-12-08,"
        " the old one stayed).",
    )
    effective_on: LocalDate = Field(
        description="First day the new name is the legal name: not a day still to come, nor"
        " one before the vendor's latest rename took effect."
    )


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
