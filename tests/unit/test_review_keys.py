"""How a review decision finds its bidder again (services/registry/bidder_screening/reviews.py):
the same firm written another way is the same bidder; another address is another bidder."""

from __future__ import annotations

import pytest

from services.registry.bidder_screening.reviews import key
from services.registry.domain.names import address_tokens

DECIDED = key("ビーシステムズ株式会社", "北浜市港町3-1")


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("(株)ビーシステムズ", "北浜市港町3-1"),  # legal form written otherwise
        ("びーしすてむず株式会社", "北浜市港町３－１"),  # kana, full-width digits and dash
        ("ビーシステムズ株式会社", " 北浜市 港町 3 - 1 "),  # spaces
    ],
)
def test_the_same_firm_written_otherwise_is_the_same_bidder(name: str, address: str) -> None:
    assert key(name, address) == DECIDED


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("ビーシステムズ株式会社", "北浜市港町3-11"),  # another number
        ("ビーシステムズ株式会社", "北浜市港町31"),  # 3-1 is not 31
        ("ビーシステムズ株式会社", None),  # no address given
        ("ビーシステム株式会社", "北浜市港町3-1"),  # another name
    ],
)
def test_another_address_or_name_is_another_bidder(name: str, address: str | None) -> None:
    assert key(name, address) != DECIDED


def test_an_address_keeps_its_words_apart_and_its_case_folded() -> None:
    assert address_tokens("Unit 5, 12 KING ST.") == "unit 5 12 king st"
