"""The API's receipt refuses what the registry would refuse of a sanction event, in the
registry's words and with a code, before the log (real PostgreSQL): an authority written
otherwise than its suspension policy writes it (punctuation too, from the rule's instant on in
the registry, whenever asked in the receipt), and an amendment or a lift judged against the
sanction as the registry holds it (a new period outside the policy's range, a change after a
lift, another vendor's sanction). Nothing refused is written."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from services.platform.eventstore import later_rules
from tests.support import case_b
from tests.support.event_examples import graphql_input, sanction_input
from tests.support.record_receipts import RECEIPT, logged, receipt
from tests.support.registry_db import apply, rejection
from tests.support.rule_instants import FAR, PAST
from tests.support.sanction_mutations import AMEND, IMPOSE, LIFT

pytestmark = pytest.mark.postgres

SUBMIT = f"mutation ($event: JSON!) {{ submitEvent(event: $event) {RECEIPT} }}"
CITY = "City procurement office"


def imposition(**changes: Any) -> dict[str, Any]:
    """The case's suspension (serious: 2–18 months) in the GraphQL input's names."""
    payload = sanction_input(case_b.suspended(**changes)["payload"])
    return payload | {"kind": str(payload["kind"]).upper()}


def amendment(**changes: Any) -> dict[str, Any]:
    return sanction_input(case_b.amended(effective_on="2023-01-01", **changes)["payload"])


@pytest.mark.parametrize(
    "authority",
    ["City Procurement Office", "ＣＩＴＹ procurement office", "City  procurement office"],
)
async def test_an_authority_written_otherwise_than_its_policy_is_refused(
    pool: asyncpg.Pool, authority: str
) -> None:
    # 36 months for a breach of contract (1–9): under another spelling it escaped the policy.
    await apply(pool, case_b.registered())
    payload = imposition(
        authority=authority, duration_months=36, grounds=["breach_of_contract"], serious=False
    )
    answer = await receipt(pool, IMPOSE, vendorId=case_b.VENDOR, payload=payload)
    said = f"{authority!r} names the suspension policy of {CITY!r}; write it as its policy does:"
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.authority",
                "message": f"{said} {CITY!r}",
                "code": "authority_spelling",
            }
        ],
    }
    # The registry says the same of such an event from any other producer.
    event = case_b.suspended(authority=authority)
    assert await rejection(pool, event) == f"payload.authority: {said} {CITY!r}"
    assert await logged(pool) == 0


@pytest.mark.parametrize("authority", ["City procurement office.", "City procurement-office"])
async def test_punctuation_does_not_make_another_authority(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch, authority: str
) -> None:
    # Found by exploratory testing: 24 months for a breach of contract (1–9) was accepted, and
    # `sanctionAuthorities` listed a second authority without a policy.
    await apply(pool, case_b.registered())
    payload = imposition(
        authority=authority, duration_months=24, grounds=["breach_of_contract"], serious=False
    )
    said = f"{authority!r} names the suspension policy of {CITY!r}; write it as its policy does:"
    # The receipt refuses it whenever asked, the rule's instant still to come.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", FAR)
    answer = await receipt(pool, IMPOSE, vendorId=case_b.VENDOR, payload=payload)
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.authority",
                "message": f"{said} {CITY!r}",
                "code": "authority_spelling",
            }
        ],
    }
    assert await logged(pool) == 0
    # The registry applies one recorded before the rule, as live processing did…
    await apply(pool, case_b.suspended(authority=authority, sanction_id="recorded-before"))
    # …and refuses one recorded from it on, from any producer, in the same words.
    monkeypatch.setattr(later_rules, "FOURTH_RULES_FROM", PAST)
    assert await rejection(pool, case_b.suspended(authority=authority)) == (
        f"payload.authority: {said} {CITY!r}"
    )


async def test_an_amended_period_outside_the_policy_is_refused_in_the_receipt(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.suspended())  # 18 months, serious
    answer = await receipt(
        pool, AMEND, vendorId=case_b.VENDOR, payload=amendment(duration_months=24)
    )
    assert not answer["accepted"]
    (error,) = answer["errors"]
    assert (error["field"], error["code"]) == ("payload.period.durationMonths", "outside_policy")
    assert await logged(pool) == 0
    # In the registry's words, which it would have dead-lettered after an "accepted".
    reason = await rejection(pool, case_b.amended(effective_on="2023-01-01", duration_months=24))
    assert reason == f"payload.duration_months: {error['message']}"
    assert "2–18 months; amend it with policy_override_reason" in reason

    # Within the range, or saying why it departs, it is recorded.
    within = await receipt(
        pool, AMEND, vendorId=case_b.VENDOR, payload=amendment(duration_months=12)
    )
    why = amendment(duration_months=24, policy_override_reason="Repeated offence.")
    overridden = await receipt(pool, AMEND, vendorId=case_b.VENDOR, payload=why)
    assert within == overridden == {"accepted": True, "errors": []}
    assert await logged(pool) == 2


async def test_an_event_sent_whole_is_held_to_the_same_rule(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered(), case_b.suspended())
    event = case_b.amended(effective_on="2023-01-01", indefinite=True)
    answer = await receipt(pool, SUBMIT, event=event)
    (error,) = answer["errors"]
    assert not answer["accepted"] and error["code"] == "outside_policy"
    assert "an indefinite period is outside" in error["message"]
    assert await logged(pool) == 0


async def test_changes_the_registry_would_refuse_of_the_sanction_it_holds(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered(), case_b.another_vendor("vendor-c"), case_b.suspended())
    await apply(pool, case_b.lifted("2023-01-10"))
    lift = graphql_input(case_b.lifted("2023-02-01")["payload"])
    again = await receipt(pool, LIFT, vendorId=case_b.VENDOR, payload=lift)
    narrower = amendment(categories=["works"]) | {"effectiveOn": "2023-01-10"}
    after = await receipt(pool, AMEND, vendorId=case_b.VENDOR, payload=narrower)
    others = await receipt(pool, LIFT, vendorId="vendor-c", payload=lift)
    assert [
        (a["accepted"], [(e["field"], e["code"]) for e in a["errors"]])
        for a in (
            again,
            after,
            others,
        )
    ] == [
        (False, [("payload.sanctionId", "lifted_already")]),
        (False, [("payload.effectiveOn", "lifted_already")]),
        (False, [("payload.sanctionId", "other_vendors_sanction")]),
    ]
    assert again["errors"][0]["message"] == "sanction 'city-2022-001' was lifted from 2023-01-10"
    assert await logged(pool) == 0


async def test_a_change_of_a_sanction_the_vendor_does_not_have_is_refused(
    pool: asyncpg.Pool,
) -> None:
    """Accepted, it was dead-lettered by the registry after (a tester's finding)."""
    await apply(pool, case_b.registered())
    said = "unknown sanction 'city-2022-001'"
    unknown = {
        "accepted": False,
        "errors": [{"field": "payload.sanctionId", "message": said, "code": "unknown_sanction"}],
    }
    lift = graphql_input(case_b.lifted("2023-02-01")["payload"])
    assert (
        await receipt(pool, AMEND, vendorId=case_b.VENDOR, payload=amendment(duration_months=12))
        == unknown
    )
    assert await receipt(pool, LIFT, vendorId=case_b.VENDOR, payload=lift) == unknown
    assert await logged(pool) == 0
    # In the registry's words, which it would have dead-lettered after an "accepted".
    assert await rejection(pool, case_b.lifted("2023-02-01")) == f"payload.sanction_id: {said}"


async def test_a_change_of_a_sanction_whose_imposition_is_logged_is_the_registrys_to_judge(
    pool: asyncpg.Pool,
) -> None:
    # Imposed a moment before without waitForProcessing: logged, not yet applied (no registry
    # runs); refusing its change here would refuse what the registry accepts.
    await apply(pool, case_b.registered())
    imposed = await receipt(pool, IMPOSE, vendorId=case_b.VENDOR, payload=imposition())
    assert imposed == {"accepted": True, "errors": []}
    answer = await receipt(
        pool, AMEND, vendorId=case_b.VENDOR, payload=amendment(duration_months=12)
    )
    assert answer == {"accepted": True, "errors": []}
    # Another vendor's imposition logged does not make it this vendor's.
    await apply(pool, case_b.another_vendor("vendor-c"))
    others = await receipt(pool, AMEND, vendorId="vendor-c", payload=amendment(duration_months=12))
    assert [e["code"] for e in others["errors"]] == ["unknown_sanction"]
    assert await logged(pool) == 2


async def test_a_decision_dated_ahead_is_refused_in_the_receipt(pool: asyncpg.Pool) -> None:
    """Every other day a person states as past is refused when still to come; a sanction's
    decision was accepted (a tester's finding). The receipt's alone: the imports date an
    upcoming sanction's decision on its first day, which the registry applies."""
    await apply(pool, case_b.registered())
    ahead = imposition(decided_on="2030-01-31", starts_on="2030-02-01")
    answer = await receipt(pool, IMPOSE, vendorId=case_b.VENDOR, payload=ahead)
    assert answer == {
        "accepted": False,
        "errors": [
            {
                "field": "payload.decidedOn",
                "message": "2030-01-31 is in the future",
                "code": "in_the_future",
            }
        ],
    }
    assert await logged(pool) == 0
    upcoming = case_b.suspended(decided_on="2030-01-31", starts_on="2030-02-01")
    await apply(pool, upcoming)  # an import's, through ingest: applied
