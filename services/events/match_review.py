"""Payload of an officer's review of a possible match: a bidder screened by name is, or is not,
a registered vendor (`screenBidders` answered POSSIBLE_MATCH, the officer looked)."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from services.events.base import NonEmptyText, Payload, ShortNote, ShortText
from services.events.vendor import CountryCode, VendorIdentifierRef


class MatchDecision(StrEnum):
    """What the officer found the bidder to be, for the vendor the event is about."""

    CONFIRMED = "confirmed"  # the bidder is this vendor
    NOT_SAME = "not_same"  # the bidder is another firm: a false positive


class VendorMatchReviewed(Payload):
    """An officer's decision on a bidder screened by name against this vendor: CONFIRMED (the
    bidder is this vendor: its name becomes one of the vendor's aliases and its identifier,
    when given, one of the vendor's identifiers) or NOT_SAME (another firm: screenings of the
    same name and address no longer flag this vendor, until the vendor gets a new sanction, an
    amended one, a new name or identifier). The bidder is given as it was screened."""

    event_type: ClassVar[str] = "vendor.match_reviewed"

    decision: MatchDecision = Field(
        description="Whether the bidder is this vendor (confirmed) or another firm, a false"
        " positive (not_same)."
    )
    bidder_name: ShortText = Field(description="The bidder's name as the list wrote it.")
    bidder_address: ShortNote | None = Field(
        default=None,
        description="The bidder's address as the list wrote it; a later screening honours the"
        " decision for the same name and the same address only.",
    )
    bidder_country: CountryCode | None = Field(
        default=None, description="The bidder's country, ISO 3166-1 alpha-2, as screened."
    )
    bidder_identifier: VendorIdentifierRef | None = Field(
        default=None,
        description="An identifier the bidder gave, if any; on confirmed it becomes the"
        " vendor's identifier (refused if another vendor holds it).",
    )
    reason: NonEmptyText = Field(
        description="Why the officer decided so (what was compared: address, representative,"
        " corporate register, …); required."
    )
