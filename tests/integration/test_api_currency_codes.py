"""An amount's currency through the API, on a real PostgreSQL: a code of three capitals that
is no ISO 4217 code ("XYZ"), or one of no currency of payment (gold, XAU; XXX, "no currency
involved"; XTS, "for testing": no minor unit for an amount to count in), is refused at its
field, saying which, for an award, a claim and a settlement alike, through the typed
mutations and `submitEvent`. The schema said ISO 4217 and the catalog checked only the shape:
"XYZ" was recorded; then XAU was accepted, which risk could not weigh, and XXX was said to be
no ISO 4217 code. Events stored before with such a code are applied as before: the contract
is unchanged."""

from __future__ import annotations

import asyncpg
import pytest

from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.record_receipts import logged, submitted, typed
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres


NO_CODE = "is not an ISO 4217 code in use"
NOT_PAYMENT = "is not a currency of payment (ISO 4217 gives it no minor unit)"
REFUSED = {"XYZ": NO_CODE, "XAU": NOT_PAYMENT, "XXX": NOT_PAYMENT, "XTS": NOT_PAYMENT}


def _refused(currency: str) -> dict[str, object]:
    message = f"'{currency}' {REFUSED[currency]}: amounts are in currencies such as JPY, USD, EUR"
    return {
        "accepted": False,
        "errors": [{"field": "payload.currency", "message": message, "code": "unknown_currency"}],
    }


def _with(event_type: str, currency: str) -> dict[str, object]:
    payload = {**VALID_PAYLOADS[event_type], "currency": currency}
    if event_type == "claim.filed":  # on no incident or contract: only its currency is asked
        payload = {k: v for k, v in payload.items() if k not in ("incident_id", "contract_id")}
    return envelope(event_type, payload)


@pytest.mark.parametrize("event_type", ["contract.awarded", "claim.filed"])
async def test_a_currency_code_of_no_currency_is_refused_at_its_field(
    pool: asyncpg.Pool, event_type: str
) -> None:
    await apply(pool, case_b.registered())
    for currency in REFUSED:
        assert await typed(pool, _with(event_type, currency)) == _refused(currency)
        assert await submitted(pool, _with(event_type, currency)) == _refused(currency)
    assert await logged(pool) == 0
    assert await typed(pool, _with(event_type, "USD")) == {"accepted": True, "errors": []}


async def test_a_settlement_in_no_currency_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), _with("claim.filed", "JPY"))
    receipt = await submitted(pool, _with("claim.settled", "XYZ"))
    # Not the claim's currency either, which the records say beside it.
    assert receipt["errors"][0] == _refused("XYZ")["errors"][0]  # type: ignore[index]


async def test_an_award_stored_before_in_no_currency_is_still_applied(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), _with("contract.awarded", "XYZ"))
    assert await pool.fetchval("SELECT currency FROM registry_contracts") == "XYZ"
