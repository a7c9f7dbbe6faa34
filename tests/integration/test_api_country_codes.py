"""A vendor's country through the API, on a real PostgreSQL: a code of two capitals that is
no ISO 3166-1 alpha-2 country's ("ZZ", "UK") is refused at its field, as `screenBidders`
refuses a bidder's; XK, the banks' code for Kosovo, is taken, as the lists are imported with
it. The schema said alpha-2 and the catalog checked only the shape: "ZZ" was recorded."""

from __future__ import annotations

import json

import asyncpg
import pytest

from tests.support.in_process_api import execute
from tests.support.principals import ADMIN
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

REGISTER = """mutation ($id: ID!, $country: String) {
  registerVendor(vendorId: $id, payload: {legalName: "Kita Co", country: $country}) {
    accepted errors { field message code } } }"""
UPDATE = """mutation ($id: ID!, $country: String) {
  updateVendor(vendorId: $id, payload: {country: $country}) {
    accepted errors { field message code } } }"""


def _refused(country: str) -> dict[str, object]:
    return {
        "accepted": False,
        "errors": [
            {
                "field": "payload.country",
                "message": f"'{country}' is not an ISO 3166-1 alpha-2 code (JP, US, …)",
                "code": "unknown_country",
            }
        ],
    }


async def test_a_country_code_of_no_country_is_refused_at_its_field(pool: asyncpg.Pool) -> None:
    answer = await execute(pool, REGISTER, ADMIN, id="v-zz", country="ZZ")
    assert answer["registerVendor"] == _refused("ZZ")
    for vendor, country in (("v-xk", "XK"), ("v-jp", "JP")):
        answer = await execute(pool, REGISTER, ADMIN, id=vendor, country=country)
        assert answer["registerVendor"] == {"accepted": True, "errors": []}
    rows = await pool.fetch("SELECT envelope::text AS e FROM event_store ORDER BY position")
    assert [json.loads(r["e"])["vendor_id"] for r in rows] == ["v-xk", "v-jp"]
    await apply(pool, *(json.loads(r["e"]) for r in rows))
    # The United Kingdom is GB: "UK" is reserved, no country's code.
    assert (await execute(pool, UPDATE, ADMIN, id="v-jp", country="UK"))["updateVendor"] == (
        _refused("UK")
    )
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 2
