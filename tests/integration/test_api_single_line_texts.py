"""Names, titles, agencies, categories, a sanction's authority and a certificate's issuer are
one line of text: a control character in one (a tester's "evil\\r\\nX-Injected: 1") is refused
at the API's receipt, naming the field, through the typed mutations and `submitEvent` alike
(real PostgreSQL). They had been recorded as given. Events already stored that hold one are
read and applied as before: the event contract is unchanged."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.security.auth import Principal, Role
from tests.support import case_b
from tests.support.event_examples import VALID_PAYLOADS, envelope
from tests.support.in_process_api import execute
from tests.support.record_receipts import logged, submitted, typed
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres

INJECTED = "evil\r\nX-Injected: 1"
SAVE = """mutation ($name: String!) {
  saveWatchlist(agency: "市民課", name: $name, vendorIds: ["vendor-b"]) {
    accepted errors { field message code } } }"""


def _refused(field: str, found: str = "U+000D") -> dict[str, object]:
    message = f"must be one line of text without control characters; it has {found}"
    return {
        "accepted": False,
        "errors": [{"field": field, "message": message, "code": "control_character"}],
    }


async def test_a_watchlist_name_with_a_control_character_is_refused(pool: asyncpg.Pool) -> None:
    await apply(pool, case_b.registered())
    officer = Principal("officer", Role.PROCUREMENT_OFFICER, ())
    for name, found in ((INJECTED, "U+000D"), ("tab\there", "U+0009"), ("a\u2028b", "U+2028")):
        answer = await execute(pool, SAVE, officer, name=name)
        assert answer["saveWatchlist"] == _refused("name", found)
    assert await logged(pool) == 0
    # A line break at either end is trimmed, as every short text's blanks are: one line.
    answer = await execute(pool, SAVE, officer, name="入札予定 (令和7年度)\n")
    assert answer["saveWatchlist"] == {"accepted": True, "errors": []}


async def test_a_sanction_authority_with_a_control_character_is_refused(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered())
    injected = case_b.suspended(authority=INJECTED)
    assert await typed(pool, injected) == _refused("payload.authority")
    assert await submitted(pool, injected) == _refused("payload.authority")
    assert await submitted(pool, case_b.suspended(authority="City\x1b[2J")) == _refused(
        "payload.authority", "U+001B"
    )
    assert await logged(pool) == 0
    assert await submitted(pool, case_b.suspended()) == {"accepted": True, "errors": []}


@pytest.mark.parametrize(
    ("event_type", "changes", "field"),
    [
        ("vendor.registered", {"legal_name": INJECTED, "identifiers": []}, "payload.legalName"),
        (
            "vendor.registered",
            {"aliases": ["ビー", INJECTED], "identifiers": []},
            "payload.aliases.1",
        ),
        ("vendor.renamed", {"new_name_en": INJECTED}, "payload.newNameEn"),
        ("contract.awarded", {"title": INJECTED}, "payload.title"),
        ("contract.awarded", {"agency": INJECTED}, "payload.agency"),
        ("certificate.submitted", {"issued_by": INJECTED}, "payload.issuedBy"),
        ("sanction.amended", {"categories": ["it", INJECTED]}, "payload.categories.1"),
    ],
)
async def test_names_titles_and_scopes_with_a_control_character_are_refused(
    pool: asyncpg.Pool, event_type: str, changes: dict[str, object], field: str
) -> None:
    # The vendor registered, with the sanction an amendment names: only the text is wrong.
    await apply(
        pool, case_b.registered(), envelope("sanction.imposed", VALID_PAYLOADS["sanction.imposed"])
    )
    vendor_id = "vendor-new" if event_type == "vendor.registered" else "vendor-b"
    event = envelope(event_type, {**VALID_PAYLOADS[event_type], **changes}, vendor_id)
    stored = await logged(pool)
    assert await typed(pool, event) == _refused(field)
    assert await logged(pool) == stored


async def test_an_event_stored_before_with_a_control_character_is_still_applied(
    pool: asyncpg.Pool,
) -> None:
    """What the log holds from before is read as it was: the registry applies it."""
    await apply(pool, case_b.registered(), case_b.suspended(authority=INJECTED))
    stored = await pool.fetchval("SELECT authority FROM registry_sanctions")
    assert stored == INJECTED
