"""Agency scoping over HTTP, on the whole ASGI app and a real PostgreSQL: a system owner sees
its own agencies' contracts and the records on them, and nothing of another agency's, whether
asked at the root, on a vendor, or by naming the agency (refused before execution); every
other role sees every agency's; mutations that name a record by id are checked against that
record's agency."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.event_examples import DROP, envelope, example, graphql_input
from tests.support.in_process_api import over_http
from tests.support.principals import token
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

MINE, THEIRS = "市民課", "税務課"
VENDOR = case_b.VENDOR
OWNER = token(Role.SYSTEM_OWNER, (MINE,))


def event(event_type: str, **changes: Any) -> dict[str, Any]:
    return envelope(event_type, example(event_type, **changes), VENDOR)


def contract(contract_id: str, agency: str) -> dict[str, Any]:
    return event("contract.awarded", contract_id=contract_id, agency=agency)


def records_on(contract_id: str, suffix: str) -> list[dict[str, Any]]:
    """A subcontract, a certificate, an incident and a claim on the contract."""
    return [
        event(
            "contract.subcontract_requested",
            contract_id=contract_id,
            subcontract_id=f"sc-{suffix}",
            parent_subcontract_id=DROP,
            subcontractor_vendor_id="vendor-c",
        ),
        event(
            "certificate.submitted",
            certificate_id=f"cert-{suffix}",
            contract_id=contract_id,
            subcontract_id=f"sc-{suffix}",
        ),
        event(
            "incident.reported",
            incident_id=f"inc-{suffix}",
            contract_id=contract_id,
            caused_by_vendor_id=DROP,
        ),
        event(
            "claim.filed",
            claim_id=f"claim-{suffix}",
            incident_id=f"inc-{suffix}",
            contract_id=contract_id,
        ),
    ]


@pytest.fixture
async def two_agencies(pool: asyncpg.Pool) -> asyncpg.Pool:
    """Vendor B holds a contract of each agency, each with its records, and an incident on
    no contract (about the vendor alone)."""
    await apply(
        pool,
        case_b.registered(),
        case_b.another_vendor("vendor-c"),
        contract("c-mine", MINE),
        contract("c-theirs", THEIRS),
        *records_on("c-mine", "mine"),
        *records_on("c-theirs", "theirs"),
        event(
            "incident.reported",
            incident_id="inc-vendor",
            contract_id=DROP,
            caused_by_vendor_id=DROP,
        ),
    )
    return pool


def ids(connection: dict[str, Any], key: str) -> set[str]:
    return {edge["node"][key] for edge in connection["edges"]}


EVERYTHING = """
{
  contracts { totalCount edges { node { contractId } } }
  vendor(vendorId: "vendor-b") {
    contracts { edges { node { contractId } } }
    subcontracts { edges { node { subcontractId } } }
    certificates { edges { node { certificateId } } }
    incidents { edges { node { incidentId } } }
    claims { edges { node { claimId } } }
  }
}"""


def seen(data: dict[str, Any]) -> dict[str, set[str]]:
    vendor = data["vendor"]
    return {
        "contracts": ids(data["contracts"], "contractId"),
        "vendor.contracts": ids(vendor["contracts"], "contractId"),
        "subcontracts": ids(vendor["subcontracts"], "subcontractId"),
        "certificates": ids(vendor["certificates"], "certificateId"),
        "incidents": ids(vendor["incidents"], "incidentId"),
        "claims": ids(vendor["claims"], "claimId"),
    }


def of(*suffixes: str) -> dict[str, set[str]]:
    contracts = {f"c-{s}" for s in suffixes}
    return {
        "contracts": contracts,
        "vendor.contracts": contracts,
        "subcontracts": {f"sc-{s}" for s in suffixes},
        "certificates": {f"cert-{s}" for s in suffixes},
        "incidents": {f"inc-{s}" for s in suffixes} | {"inc-vendor"},
        "claims": {f"claim-{s}" for s in suffixes},
    }


async def test_a_system_owner_sees_only_its_agencies_records(two_agencies: asyncpg.Pool) -> None:
    answer = await over_http(two_agencies, OWNER, EVERYTHING)
    assert "errors" not in answer
    assert seen(answer["data"]) == of("mine")
    assert answer["data"]["contracts"]["totalCount"] == 1


async def test_a_system_owner_of_both_agencies_sees_both(two_agencies: asyncpg.Pool) -> None:
    both = token(Role.SYSTEM_OWNER, (MINE, THEIRS))
    assert seen((await over_http(two_agencies, both, EVERYTHING))["data"]) == of("mine", "theirs")


@pytest.mark.parametrize(
    "role",
    [r for r in Role if r is not Role.SYSTEM_OWNER],
    ids=lambda r: r.value,
)
async def test_every_other_role_sees_every_agencys_records(
    two_agencies: asyncpg.Pool, role: Role
) -> None:
    # Agencies in another role's token do not narrow what it reads.
    answer = await over_http(two_agencies, token(role, (MINE,)), EVERYTHING)
    assert "errors" not in answer
    assert seen(answer["data"]) == of("mine", "theirs")


REFUSED = {
    "root contracts": '{ contracts(agency: "税務課") { totalCount } }',
    "a vendor's contracts": (
        '{ vendor(vendorId: "vendor-b") { contracts(agency: "税務課") { totalCount } } }'
    ),
    "migration plans": '{ migrationPlans(agency: "税務課") { totalCount } }',
    "riskiest vendors": '{ riskiestVendors(agency: "税務課") { vendorId } }',
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=list(REFUSED))
async def test_naming_another_agency_is_refused_before_execution(
    two_agencies: asyncpg.Pool, query: str
) -> None:
    answer = await over_http(two_agencies, OWNER, query)
    assert answer["data"] is None
    assert [e["message"] for e in answer["errors"]] == [
        "agency '税務課' is not one of your agencies (市民課)"
    ]


async def test_another_agency_in_a_variable_or_its_default_is_refused(
    two_agencies: asyncpg.Pool,
) -> None:
    query = 'query ($a: String = "税務課") { contracts(agency: $a) { totalCount } }'
    given = await over_http(two_agencies, OWNER, query, a=THEIRS)
    defaulted = await over_http(two_agencies, OWNER, query)
    mine = await over_http(two_agencies, OWNER, query, a=MINE)
    assert given["data"] is None and defaulted["data"] is None
    assert mine == {"data": {"contracts": {"totalCount": 1}}}


def mutation(name: str, input_type: str) -> str:
    return f"""
    mutation ($vendorId: ID!, $payload: {input_type}!) {{
      {name}(vendorId: $vendorId, payload: $payload) {{
        accepted errors {{ field message code }}
      }}
    }}"""


def form(event_type: str, enums: tuple[str, ...] = (), **changes: Any) -> dict[str, Any]:
    """The example payload as the mutation's input (camelCase keys, enum names)."""
    payload = graphql_input(example(event_type, **changes))
    return payload | {key: str(payload[key]).upper() for key in enums}


# Mutation → (its input type, its payload naming the other agency's records, their fields).
BY_ID: dict[str, tuple[str, dict[str, Any], tuple[str, ...]]] = {
    "amendContract": (
        "ContractAmendedInput",
        form("contract.amended", contract_id="c-theirs"),
        ("payload.contractId",),
    ),
    "terminateContract": (
        "ContractTerminatedInput",
        form("contract.terminated", ("reason",), contract_id="c-theirs"),
        ("payload.contractId",),
    ),
    "requestSubcontract": (
        "SubcontractRequestedInput",
        form(
            "contract.subcontract_requested",
            contract_id="c-theirs",
            subcontract_id="sc-new",
            parent_subcontract_id=DROP,
            subcontractor_vendor_id="vendor-c",
        ),
        ("payload.contractId",),
    ),
    "approveSubcontract": (
        "SubcontractApprovedInput",
        # My contract, their subcontract: each record named is checked.
        form(
            "contract.subcontract_approved",
            contract_id="c-mine",
            subcontract_id="sc-theirs",
            fitness_certificate_ids=["cert-theirs"],
        ),
        ("payload.subcontractId",),
    ),
    "rejectSubcontract": (
        "SubcontractRejectedInput",
        form("contract.subcontract_rejected", contract_id="c-theirs", subcontract_id="sc-theirs"),
        ("payload.contractId", "payload.subcontractId"),
    ),
    "reportIncident": (
        "IncidentReportedInput",
        form(
            "incident.reported",
            ("kind", "severity"),
            incident_id="inc-new",
            contract_id="c-theirs",
            caused_by_vendor_id=DROP,
        ),
        ("payload.contractId",),
    ),
    "submitCertificate": (
        "CertificateSubmittedInput",
        form(
            "certificate.submitted",
            ("kind",),
            certificate_id="cert-new",
            contract_id="c-theirs",
            subcontract_id="sc-theirs",
        ),
        ("payload.contractId", "payload.subcontractId"),
    ),
}


async def stored(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM event_store")
    return count


@pytest.mark.parametrize("name", sorted(BY_ID))
async def test_a_mutation_naming_another_agencys_record_is_refused(
    two_agencies: asyncpg.Pool, name: str
) -> None:
    input_type, payload, fields = BY_ID[name]
    answer = await over_http(
        two_agencies, OWNER, mutation(name, input_type), vendorId=VENDOR, payload=payload
    )
    receipt = answer["data"][name]
    assert not receipt["accepted"]
    # Each record named that is not the caller's, not only the first.
    assert [e["field"] for e in receipt["errors"]] == list(fields)
    for error in receipt["errors"]:
        record_id = payload[error["field"].removeprefix("payload.")]
        assert error["message"].endswith(f"{record_id!r} of your agencies on record")
        noun = error["field"].removeprefix("payload.").removesuffix("Id")
        assert error["code"] == f"unknown_{noun}"
    assert await stored(two_agencies) == 0


async def test_a_record_not_on_record_is_refused_to_a_system_owner(
    two_agencies: asyncpg.Pool,
) -> None:
    payload = form("contract.amended", contract_id="c-unknown")
    answer = await over_http(
        two_agencies,
        OWNER,
        mutation("amendContract", "ContractAmendedInput"),
        vendorId=VENDOR,
        payload=payload,
    )
    assert answer["data"]["amendContract"]["errors"] == [
        {
            "field": "payload.contractId",
            "message": "no contract 'c-unknown' of your agencies on record",
            "code": "unknown_contract",
        }
    ]


async def test_a_record_out_of_view_is_refused_with_the_events_other_problems(
    two_agencies: asyncpg.Pool,
) -> None:
    """Every problem at once, not the agency's first and the rest after it is fixed."""
    input_type, incident, _ = BY_ID["reportIncident"]
    out_of_view = {"field": "payload.contractId", "code": "unknown_contract"}
    for changes, other in [
        # The services' checks of the event, run beside the record's.
        ({"reportedOn": "2099-06-23"}, {"field": "payload.reportedOn", "code": "in_the_future"}),
        # The contract's own rules.
        (
            {"reportedOn": "2022-06-20"},
            {"field": "payload.reportedOn", "code": "reported_before_occurred"},
        ),
    ]:
        answer = await over_http(
            two_agencies,
            OWNER,
            mutation("reportIncident", input_type),
            vendorId=VENDOR,
            payload=incident | changes,
        )
        receipt = answer["data"]["reportIncident"]
        assert not receipt["accepted"]
        assert [{k: e[k] for k in ("field", "code")} for e in receipt["errors"]] == [
            out_of_view,
            other,
        ]
    assert await stored(two_agencies) == 0


async def test_awarding_a_contract_for_another_agency_is_refused(
    two_agencies: asyncpg.Pool,
) -> None:
    payload = form("contract.awarded", ("criticality",), contract_id="c-new", agency=THEIRS)
    answer = await over_http(
        two_agencies,
        OWNER,
        mutation("awardContract", "ContractAwardedInput"),
        vendorId=VENDOR,
        payload=payload,
    )
    assert answer["data"]["awardContract"]["errors"] == [
        {
            "field": "payload.agency",
            "message": "税務課 is not one of your agencies",
            "code": "not_your_agency",
        }
    ]


async def test_the_same_mutations_on_ones_own_records_are_recorded(
    two_agencies: asyncpg.Pool,
) -> None:
    amend = form("contract.amended", contract_id="c-mine")
    approve = form(
        "contract.subcontract_approved",
        contract_id="c-mine",
        subcontract_id="sc-mine",
        fitness_certificate_ids=["cert-mine"],
    )
    for name, input_type, payload in [
        ("amendContract", "ContractAmendedInput", amend),
        ("approveSubcontract", "SubcontractApprovedInput", approve),
    ]:
        answer = await over_http(
            two_agencies, OWNER, mutation(name, input_type), vendorId=VENDOR, payload=payload
        )
        assert answer["data"][name] == {"accepted": True, "errors": []}
    assert await stored(two_agencies) == 2


async def test_a_procurement_officer_records_for_any_agency(two_agencies: asyncpg.Pool) -> None:
    officer = token(Role.PROCUREMENT_OFFICER, (MINE,))
    input_type, payload, _ = BY_ID["amendContract"]
    answer = await over_http(
        two_agencies,
        officer,
        mutation("amendContract", input_type),
        vendorId=VENDOR,
        payload=payload,
    )
    assert answer["data"]["amendContract"] == {"accepted": True, "errors": []}
