"""One definition of the currencies an amount may be in (services/events/currencies.py), used by
the API's receipt, risk and the OCDS importer: the receipt's table (every ISO 4217 code but XXX
and XTS) accepted XAU, which risk called no currency of payment and refused a model rate for,
while its evidence asked for one. Each now answers the same for every code, in the same words."""

from __future__ import annotations

import json

import iso4217
import pytest

from services.events.catalog import parse_event
from services.events.currencies import MINOR_DIGITS, minor_digits, not_payable
from services.imports.ocds.fields import minor_units
from services.registry.domain.currencies import currency_check
from services.risk.domain import money
from tests.support.event_examples import VALID_PAYLOADS, envelope

CODES = sorted({c.code for c in iso4217.Currency} | {"XYZ", "usd", "ABC"})


def _receipt(currency: str) -> str | None:
    award = envelope(
        "contract.awarded", {**VALID_PAYLOADS["contract.awarded"], "currency": currency}
    )
    problem = currency_check(parse_event(json.dumps(award)))
    return None if problem is None else problem.message


@pytest.mark.parametrize("currency", CODES)
def test_the_receipt_risk_and_the_importer_agree_on_every_code(currency: str) -> None:
    why = not_payable(currency)
    assert (why is None) == (currency in MINOR_DIGITS) == (minor_digits(currency) is not None)
    receipt = _receipt(currency) if currency.isupper() else None
    if why is None:
        assert receipt is None
        assert money.written(10**6, currency).endswith(currency if currency != "JPY" else "yen")
        minor_units(1, currency)
    else:
        if currency.isupper():
            assert (
                receipt == f"{currency!r} is {why}: amounts are in currencies such as JPY, USD, EUR"
            )
        assert money.written(1000, currency) == f"the figure 1,000 recorded in {currency}"
        with pytest.raises(ValueError, match="^value.currency: " + repr(currency)):
            minor_units(1, currency)


def test_codes_of_no_currency_of_payment_are_said_to_be_codes() -> None:
    for code in ("XAU", "XXX", "XTS", "XDR"):
        assert not_payable(code) == "not a currency of payment (ISO 4217 gives it no minor unit)"
    assert not_payable("XYZ") == "not an ISO 4217 code in use"
    assert not_payable("USD") is None and MINOR_DIGITS["USD"] == 2
