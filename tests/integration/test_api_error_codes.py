"""Every refusal a client meets carries a code (`extensions.code`) it can say in its user's
language, beside the API's English message, which stays as it was: over HTTP, on the whole
ASGI app and a real PostgreSQL, one request per kind of refusal (services/gateway/README.md,
"Error codes")."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import asyncpg
import pytest

from graphql import ASTValidationRule, ValidationRule
from services.gateway.http.protection import Limits
from services.platform.graphql.nodes import encode
from services.platform.security.auth import Role
from tests.support.in_process_api import SCHEMA, asgi_client
from tests.support.principals import expired, token

pytestmark = pytest.mark.postgres

QUERY = "{ riskiestVendors(first: 1) { vendorId } }"


def bearer(jwt: str) -> dict[str, str]:
    return {"authorization": f"Bearer {jwt}"}


async def answer(
    pool: asyncpg.Pool, body: Any, headers: dict[str, str], path: str = "/graphql"
) -> tuple[int, list[tuple[str, str]]]:
    """The status and each error's (code, message)."""
    async with asgi_client(pool) as client:
        if body is None:
            response = await client.get(path, headers=headers)
        else:
            response = await client.post(path, json=body, headers=headers)
    errors = response.json()["errors"]
    return response.status_code, [(e["extensions"]["code"], e["message"]) for e in errors]


async def test_a_missing_token_and_an_expired_one_are_told_apart(pool: asyncpg.Pool) -> None:
    assert await answer(pool, {"query": QUERY}, {}) == (
        401,
        [("UNAUTHENTICATED", "no bearer token")],
    )
    assert await answer(pool, {"query": QUERY}, bearer("not-a-jwt")) == (
        401,
        [("UNAUTHENTICATED", "token is not a JWT")],
    )
    assert await answer(pool, {"query": QUERY}, bearer(expired())) == (
        401,
        [("TOKEN_EXPIRED", "token expired")],
    )


async def test_a_role_or_an_agency_refused_is_forbidden(pool: asyncpg.Pool) -> None:
    lift = (
        'mutation { liftSanction(vendorId: "v", payload: {sanctionId: "s",'
        ' effectiveOn: "2024-01-01", reason: "r"}) { accepted } }'
    )
    status, errors = await answer(pool, {"query": lift}, bearer(token(Role.VIEWER)))
    assert (status, errors) == (200, [("FORBIDDEN", "role viewer may not use liftSanction")])
    plans = '{ migrationPlans(agency: "税務課") { totalCount } }'
    owner = bearer(token(Role.SYSTEM_OWNER, ("市民課",)))
    status, errors = await answer(pool, {"query": plans}, owner)
    assert errors == [("FORBIDDEN", "agency '税務課' is not one of your agencies (市民課)")]


async def test_a_request_the_api_cannot_run_is_a_bad_request(pool: asyncpg.Pool) -> None:
    admin = bearer(token())
    _, unparsed = await answer(pool, {"query": "{ riskiestVendors("}, admin)
    _, invalid = await answer(pool, {"query": "{ noSuchField }"}, admin)
    for errors in (unparsed, invalid):
        assert [code for code, _ in errors] == ["BAD_REQUEST"], errors
    assert "Cannot query field 'noSuchField'" in invalid[0][1]


async def test_a_value_the_api_refuses_is_bad_user_input(pool: asyncpg.Pool) -> None:
    admin = bearer(token())
    eligibility = '{ bidEligibility(vendorId: "vendor-nope") { eligible } }'
    _, unknown = await answer(pool, {"query": eligibility}, admin)
    assert unknown == [("BAD_USER_INPUT", "vendorId: unknown vendor 'vendor-nope'")]
    on_day = 'query ($d: Date!) { bidEligibility(vendorId: "v", asOf: $d) { eligible } }'
    _, no_such_day = await answer(pool, {"query": on_day, "variables": {"d": "2019-02-30"}}, admin)
    missing = "query ($n: Int!) { riskiestVendors(first: $n) { vendorId } }"
    _, not_given = await answer(pool, {"query": missing}, admin)
    for errors in (no_such_day, not_given):
        assert [code for code, _ in errors] == ["BAD_USER_INPUT"], errors
    # A blank agency or category names none: answered, it ruled out every sanction restricted
    # to agencies and said "eligible" where null (any agency) says "barred".
    for query in (
        '{ bidEligibility(vendorId: "v", agency: "") { eligible } }',
        '{ bidEligibilityMany(vendorIds: ["v"], agency: " ") { eligible } }',
        '{ screenBidders(bidders: [{ref: "1", vendorId: "v"}], agency: "") { status } }',
    ):
        _, blank = await answer(pool, {"query": query}, admin)
        assert blank == [("BAD_USER_INPUT", "agency: blank; give a name, or null for any")]
    category = '{ bidEligibility(vendorId: "v", category: "") { eligible } }'
    _, blank = await answer(pool, {"query": category}, admin)
    assert blank == [("BAD_USER_INPUT", "category: blank; give a name, or null for any")]


@pytest.mark.parametrize(
    ("query", "variables", "says"),
    [
        (
            "query ($v: VendorRefInput!) { bidEligibility(vendor: $v) { eligible } }",
            {"v": {}},
            "Variable '$v' has invalid value: Within OneOf Input Object type 'VendorRefInput',"
            " exactly one field must be specified",
        ),
        (
            "query ($v: VendorRefInput!) { bidEligibility(vendor: $v) { eligible } }",
            {"v": {"vendorId": None}},
            "Variable '$v' has invalid value at .vendorId: Within OneOf Input Object type",
        ),
        (
            'mutation ($p: SanctionImposedInput!) { imposeSanction(vendorId: "v",'
            " payload: $p) { accepted } }",
            {"p": {"period": {"durationMonths": 18, "durationDays": 30}}},
            "Variable '$p' has invalid value at .period: Within OneOf Input Object type",
        ),
    ],
    ids=["no-key", "null-key", "inside-an-input"],
)
async def test_a_one_of_input_given_none_or_two_ways_names_its_variable(
    pool: asyncpg.Pool, query: str, variables: dict[str, Any], says: str
) -> None:
    """It came back as strawberry's "OneOf Input Object … must specify exactly one key.",
    coded BAD_REQUEST, naming no variable and no path."""
    _, errors = await answer(pool, {"query": query, "variables": variables}, bearer(token()))
    codes = {code for code, _ in errors}
    assert codes == {"BAD_USER_INPUT"} and any(says in message for _, message in errors), errors


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        (
            '{ bidEligibility(vendor: {vendorId: "t1"}, asOf: "2025-02-29") { eligible } }',
            50,
            "Expected value of type 'Date', not '2025-02-29': 2025-02 has no day 29",
        ),
        (
            '{ bidEligibility(vendor: {vendorId: "t1"}, knownAt: "2026-13-01T00:00:00Z") {'
            " eligible } }",
            53,
            "Expected value of type 'DateTime', not \"2026-13-01T00:00:00Z\": month must be in"
            " 1..12",
        ),
        (
            'mutation { configureMigrationPlan(planId: "p", settings: {blackouts: [{startsOn:'
            ' "2027-02-29", endsOn: "2027-03-01", reason: "r"}]}) { accepted } }',
            82,
            "Expected value of type 'Date', not '2027-02-29': 2027-02 has no day 29",
        ),
        (
            'mutation { settleClaim(vendorId: "v", payload: {claimId: "c", settledOn:'
            ' "2026-01-05", amount: "3 billion"}) { accepted } }',
            96,
            "Expected value of type 'Amount', not \"3 billion\": give an integer, e.g."
            ' 3000000000, or its digits as a string, "3000000000"',
        ),
        (  # read in the deployment's zone (Asia/Tokyo), it answered nine hours off
            '{ bidEligibility(vendor: {vendorId: "t1"}, knownAt: "2026-12-05T07:45:00") {'
            " eligible } }",
            53,
            "Expected value of type 'DateTime', not 2026-12-05T07:45:00 without a UTC offset:"
            " give one, e.g. 2026-12-05T07:45:00Z or 2026-12-05T16:45:00+09:00",
        ),
    ],
    ids=["date-argument", "datetime-argument", "date-in-an-input-object", "amount", "no-offset"],
)
async def test_a_literal_a_scalar_refuses_is_refused_where_it_is_written(
    pool: asyncpg.Pool, query: str, column: int, message: str
) -> None:
    """A literal a scalar refuses is a value refused, as the same value in a variable is
    (BAD_USER_INPUT), at its place in the document, saying the type expected: it came with
    no location and nothing expected, as a malformed document (BAD_REQUEST)."""
    async with asgi_client(pool) as client:
        response = await client.post("/graphql", json={"query": query}, headers=bearer(token()))
    [error] = response.json()["errors"]
    assert error == {
        "message": message,
        "locations": [{"line": 1, "column": column}],
        "extensions": {"code": "BAD_USER_INPUT"},
    }


@pytest.mark.parametrize(
    "query",
    [
        '{ deadLetters(after: "99999999999999999999") { totalCount } }',  # past a bigint
        '{ deadLetters(after: "²") { totalCount } }',  # a digit to str.isdigit, not to int
        '{ registryChanges(since: "99999999999999999999999.1") { cursor } }',
        f'{{ node(id: "{encode("DeadLetter", ("99999999999999999999",))}") {{ id }} }}',
    ],
    ids=["cursor-past-bigint", "superscript-digit", "feed-cursor", "node-id"],
)
async def test_a_number_out_of_range_is_bad_user_input_not_a_fault(
    pool: asyncpg.Pool, query: str
) -> None:
    _, errors = await answer(pool, {"query": query}, bearer(token()))
    assert [code for code, _ in errors] == ["BAD_USER_INPUT"], errors


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (
            '{ bidEligibility(vendor: {vendorId: "t1"}, knownAt: "0001-01-01T00:00:00+09:00")'
            " { eligible } }",
            None,
        ),
        (
            'query ($at: DateTime!) { bidEligibility(vendor: {vendorId: "t1"}, knownAt: $at)'
            " { eligible } }",
            {"at": "9999-12-31T23:59:59-12:00"},
        ),
        (
            '{ proposeSuspension(authority: "City procurement office", grounds: ["bribery"],'
            ' serious: true, decidedOn: "9999-12-31") { startsOn } }',
            None,
        ),
        (
            'query ($day: Date!) { proposeSuspension(authority: "City procurement office",'
            ' grounds: ["bribery"], serious: true, decidedOn: $day) { startsOn } }',
            {"day": "0001-01-01"},
        ),
    ],
    ids=[
        "known-at-literal",
        "known-at-variable",
        "decided-on-literal",
        "decided-on-variable",
    ],
)
async def test_a_day_beyond_the_years_read_is_bad_user_input_not_a_fault(
    pool: asyncpg.Pool, query: str, variables: dict[str, str] | None
) -> None:
    """A moment or a day outside 1868–2999 overflowed in PostgreSQL or in period arithmetic
    (INTERNAL): it is a typing error, told as payload dates are."""
    _, errors = await answer(pool, {"query": query, "variables": variables}, bearer(token()))
    assert [code for code, _ in errors] == ["BAD_USER_INPUT"], errors
    assert "is outside 1868–2999" in errors[0][1], errors


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/exports/exclusions.json?as_of=2025-01-01",
            "unknown query parameter 'as_of': it reads asOf",
        ),
        (
            "/exports/exclusions.csv?asof=2025-01-01",
            "unknown query parameter 'asof': it reads asOf",
        ),
        (
            "/exports/exclusions.csv?asOf=2025-01-01&asOf=2025-02-01",
            "asOf: given 2 times; give it once",
        ),
        (
            "/exports/exclusions.csv?asOf=",
            "asOf: given empty; give a value, or leave the parameter out",
        ),
        (
            "/migration-plans/plan-nope.csv?version=1",
            "unknown query parameter 'version': it reads none",
        ),
    ],
    ids=["snake-case", "lower-case", "twice", "empty", "plan-export"],
)
async def test_an_export_refuses_a_query_parameter_it_does_not_read(
    pool: asyncpg.Pool, path: str, message: str
) -> None:
    """A misspelled parameter was ignored (today's list, 200, for `?as_of=` a past day), and of
    one given twice the second was taken: each is refused, naming it, before anything is read."""
    assert await answer(pool, None, bearer(token()), path) == (400, [("BAD_REQUEST", message)])


async def test_the_exports_refusals_have_codes(pool: asyncpg.Pool) -> None:
    viewer = bearer(token(Role.VIEWER))
    admin = bearer(token())
    assert await answer(pool, None, viewer, "/exports/exclusions.csv") == (
        403,
        [("FORBIDDEN", "role viewer may not export exclusions")],
    )
    status, errors = await answer(pool, None, admin, "/exports/exclusions.xlsx")
    assert status == 404 and [code for code, _ in errors] == ["NOT_FOUND"]
    assert await answer(pool, None, admin, "/migration-plans/plan-nope.csv") == (
        404,
        [("NOT_FOUND", "no scheduled plan 'plan-nope'")],
    )
    # A path nothing serves (the extension left out) is refused alike (it was plain text).
    assert await answer(pool, None, admin, "/migration-plans/plan-nope") == (
        404,
        [("NOT_FOUND", "nothing at /migration-plans/plan-nope")],
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/exports/exclusions.csv", "GET, HEAD"),
        ("DELETE", "/migration-plans/x.csv", "GET, HEAD"),
        ("POST", "/healthz", "GET, HEAD"),
        ("POST", "/static/graphiql/graphiql.min.js", "GET, HEAD"),
    ],
)
async def test_a_method_a_path_does_not_serve_is_refused_in_json_with_allow(
    pool: asyncpg.Pool, method: str, path: str, allow: str
) -> None:
    """Starlette's own 405 was plain text without a code (/graphql's own: its own tests)."""
    async with asgi_client(pool) as client:
        response = await client.request(method, path, headers=bearer(token()))
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert method in error["message"]


async def test_a_request_without_credentials_is_not_told_its_token_is_invalid(
    pool: asyncpg.Pool,
) -> None:
    """RFC 6750 §3.1: with no credentials, the challenge names no error; a token that is not
    accepted is `invalid_token`."""
    async with asgi_client(pool) as client:
        none = await client.post("/graphql", json={"query": QUERY})
        bad = await client.post("/graphql", json={"query": QUERY}, headers=bearer("nope"))
    assert none.status_code == bad.status_code == 401
    assert none.headers["www-authenticate"] == "Bearer"
    assert bad.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_a_moment_without_its_utc_offset_is_refused_in_a_variable_too(
    pool: asyncpg.Pool,
) -> None:
    """It was read in the deployment's zone (Asia/Tokyo): "2026-12-05T07:45:00" answered
    eligible where "2026-12-05T07:45:00Z" answered barred."""
    query = (
        'query ($at: DateTime!) { bidEligibility(vendor: {vendorId: "t1"}, knownAt: $at)'
        " { eligible } }"
    )
    variables = {"at": "2026-12-05T07:45:00"}
    _, errors = await answer(pool, {"query": query, "variables": variables}, bearer(token()))
    assert errors == [
        (
            "BAD_USER_INPUT",
            "Variable '$at' has invalid value: 2026-12-05T07:45:00 without a UTC offset: give"
            " one, e.g. 2026-12-05T07:45:00Z or 2026-12-05T16:45:00+09:00",
        )
    ]


@pytest.mark.parametrize("field", ["bidEligibility", "bidEligibilityMany", "screenBidders"])
def test_known_at_is_described_as_it_is_read(field: str) -> None:
    """Its description said a moment without an offset was read in the registry's time zone,
    where the API refuses it (above): a client following the schema was refused."""
    query = SCHEMA._schema.query_type
    assert query is not None
    described = query.fields[field].args["knownAt"].description
    assert described is not None and "registry's time zone" not in described
    assert "2026-12-05T16:45:00+09:00" in described and "without one is refused" in described


class _RuleWithAFault(ValidationRule):
    def enter_document(self, *_: Any) -> None:
        raise ValueError("max() arg is an empty sequence")


@dataclasses.dataclass(frozen=True)
class _FaultyLimits(Limits):
    def validation_rules(self) -> list[type[ASTValidationRule]]:
        return [*super().validation_rules(), _RuleWithAFault]


async def test_a_validation_rule_that_fails_is_masked_as_ours(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    """A fault in validation (strawberry's depth limiter met an empty selection) reached the
    client in Python's words, without a code, and was logged nowhere."""
    async with asgi_client(pool, _FaultyLimits()) as client:
        response = await client.post("/graphql", json={"query": QUERY}, headers=bearer(token()))
    (error,) = response.json()["errors"]
    error_id = error["extensions"]["errorId"]
    assert error == {
        "message": f"internal error {error_id}: quote this id to the operators",
        "extensions": {"code": "INTERNAL", "errorId": error_id},
    }
    (logged,) = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged.levelno == logging.ERROR and logged.exc_info is not None
