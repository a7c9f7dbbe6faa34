"""`bidEligibility(vendor:)` names the vendor by a @oneOf input, by its id or by an identifier
and never both; the deprecated `vendorId` and `identifier` arguments, and the input's
deprecated `id`, still work alone (real PostgreSQL, the API's schema in-process)."""

from __future__ import annotations

import dataclasses
from typing import Any

import asyncpg
import pytest

from tests.support import case_b
from tests.support.in_process_api import SCHEMA, execute, shared_context
from tests.support.principals import ADMIN
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

CORPORATE = {"scheme": "corporate_number", "value": "7000012050002"}
BY_REF = """query ($vendor: VendorRefInput) {
  bidEligibility(vendor: $vendor, asOf: "2023-03-01") { vendorId eligible } }"""


async def errors_of(pool: asyncpg.Pool, query: str, **variables: Any) -> list[str]:
    context = dataclasses.replace(shared_context(pool), principal=ADMIN)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    return [error.message for error in result.errors or []]


@pytest.fixture
async def registered(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered())


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(
    "vendor", [{"vendorId": case_b.VENDOR}, {"identifier": CORPORATE}, {"id": case_b.VENDOR}]
)
async def test_either_way_of_naming_the_vendor_answers(
    pool: asyncpg.Pool, vendor: dict[str, Any]
) -> None:
    answer = (await execute(pool, BY_REF, vendor=vendor))["bidEligibility"]
    assert answer == {"vendorId": case_b.VENDOR, "eligible": True}


@pytest.mark.usefixtures("registered")
async def test_a_literal_one_of_and_the_deprecated_arguments_answer(pool: asyncpg.Pool) -> None:
    for query in (
        '{ bidEligibility(vendor: {vendorId: "vendor-b"}) { vendorId } }',
        '{ bidEligibility(vendor: {id: "vendor-b"}) { vendorId } }',
        '{ bidEligibility(vendor: {identifier: {scheme: "internal", value: "V-0042"}}) {'
        " vendorId } }",
        '{ bidEligibility(vendorId: "vendor-b") { vendorId } }',
        '{ bidEligibility(identifier: {scheme: "internal", value: "V-0042"}) { vendorId } }',
    ):
        assert (await execute(pool, query))["bidEligibility"]["vendorId"] == case_b.VENDOR


@pytest.mark.usefixtures("registered")
@pytest.mark.parametrize(
    ("query", "variables", "says"),
    [
        (
            BY_REF,
            {"vendor": {"vendorId": case_b.VENDOR, "identifier": CORPORATE}},
            "Variable '$vendor' has invalid value: Within OneOf Input Object type"
            " 'VendorRefInput', exactly one field must be specified",
        ),
        (
            BY_REF,
            {"vendor": {"vendorId": case_b.VENDOR, "id": case_b.VENDOR}},
            "Variable '$vendor' has invalid value: Within OneOf",
        ),
        (BY_REF, {"vendor": {}}, "Variable '$vendor' has invalid value: Within OneOf"),
        (
            '{ bidEligibility(vendor: {vendorId: "vendor-b", identifier: {scheme: "internal",'
            ' value: "V-0042"}}) { vendorId } }',
            {},
            "Within OneOf Input Object type 'VendorRefInput', exactly one field must be specified",
        ),
        (
            '{ bidEligibility(vendor: {vendorId: "vendor-b"}, vendorId: "vendor-b") { vendorId } }',
            {},
            "vendor: give it alone, not with the deprecated vendorId or identifier",
        ),
        (
            "{ bidEligibility { vendorId } }",
            {},
            "vendor: name the vendor, by `vendor: {vendorId: …}` or `vendor: {identifier: …}`",
        ),
        (
            '{ bidEligibility(vendorId: "vendor-b", identifier: {scheme: "internal",'
            ' value: "V-0042"}) { vendorId } }',
            {},
            "give exactly one of vendorId and identifier",
        ),
    ],
    ids=[
        "both-variables",
        "new-and-old-field",
        "neither-variable",
        "both-literal",
        "old-and-new",
        "none",
        "both-old",
    ],
)
async def test_naming_the_vendor_twice_or_not_at_all_is_refused(
    pool: asyncpg.Pool, query: str, variables: dict[str, Any], says: str
) -> None:
    (message,) = await errors_of(pool, query, **variables)
    assert says in message, message


async def test_the_input_says_it_is_one_of(pool: asyncpg.Pool) -> None:
    introspected = await execute(pool, '{ __type(name: "VendorRefInput") { isOneOf } }')
    assert introspected["__type"] == {"isOneOf": True}


@pytest.mark.usefixtures("registered")
async def test_a_global_id_in_the_deprecated_id_is_refused_saying_where_it_goes(
    pool: asyncpg.Pool,
) -> None:
    global_id = (await execute(pool, '{ vendor(vendorId: "vendor-b") { id } }'))["vendor"]["id"]
    (message,) = await errors_of(pool, BY_REF, vendor={"id": global_id})
    assert message == (
        f"vendor.id: {global_id!r} is a global id (a Vendor's `id`): fetch it with node(id:),"
        " or give the object's own id as vendorId"
    )
