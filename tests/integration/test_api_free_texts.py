"""Names, titles, agencies, categories, a sanction's authority, a certificate's issuer, an
identifier's value and an event's source are one line of text: a control character in one (a
tester's "evil\\r\\nX-Injected: 1") is refused at the API's receipt, naming the field, through
the typed mutations and `submitEvent` alike (real PostgreSQL); a reason or a note may hold line
breaks and tabs, and no other. A text of only invisible characters is blank, and an invisible
format character (a bidi override) is refused in any text. They had been recorded as given.
Events already stored that hold one are read and applied as before: the event contract is
unchanged."""

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


def _problem(field: str, message: str, code: str) -> dict[str, object]:
    return {"accepted": False, "errors": [{"field": field, "message": message, "code": code}]}


def _registration(**changes: object) -> dict[str, object]:
    payload = {**VALID_PAYLOADS["vendor.registered"], "identifiers": [], **changes}
    return envelope("vendor.registered", payload, "zw-1")


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("\u200b\u200b", "U+200B (ZERO WIDTH SPACE)"),
        ("\u2060", "U+2060 (WORD JOINER)"),
        ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("\u200d", "U+200D (ZERO WIDTH JOINER)"),
        ("\u3164 \u200b", "U+200B (ZERO WIDTH SPACE), U+3164 (HANGUL FILLER)"),
    ],
)
async def test_a_name_of_only_invisible_characters_is_blank(
    pool: asyncpg.Pool, name: str, named: str
) -> None:
    """A tester's registration of a vendor named "\\u200b\\u200b" was recorded: a vendor whose
    name shows as nothing, which screening marks INVALID and no search finds."""
    message = f"must not be blank (it has only invisible characters: {named})"
    refused = _problem("payload.legalName", message, "string_too_short")
    assert await typed(pool, _registration(legal_name=name)) == refused
    assert await submitted(pool, _registration(legal_name=name)) == {
        **refused,
        "errors": [{**refused["errors"][0], "field": "payload.legal_name"}],  # type: ignore[index]
    }
    assert await logged(pool) == 0


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("Good\u202eKK", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("Good\u202dKK", "U+202D (LEFT-TO-RIGHT OVERRIDE)"),
        ("Good\u2067KK\u2069", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
        ("\ufeff株式会社B", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("株式会社\u200bB", "U+200B (ZERO WIDTH SPACE)"),
        ("B\u00adSystem", "U+00AD (SOFT HYPHEN)"),
        # A joiner joins two visible characters, not a space and a letter.
        ("B \u200dSystem", "U+200D (ZERO WIDTH JOINER)"),
        ("B System\u200c", "U+200C (ZERO WIDTH NON-JOINER)"),
    ],
)
async def test_a_format_character_in_a_name_is_refused(
    pool: asyncpg.Pool, name: str, named: str
) -> None:
    """A bidi override makes a name read otherwise than it is stored."""
    message = f"must be text without invisible format characters; it has {named}"
    refused = _problem("payload.legalName", message, "format_character")
    assert await typed(pool, _registration(legal_name=name)) == refused
    assert await logged(pool) == 0


async def test_joiners_inside_words_are_kept(pool: asyncpg.Pool) -> None:
    """Persian writes some words with a zero-width non-joiner, the Indic scripts choose a
    letter's form with a joiner, and emoji sequences are joined: between two visible
    characters they are part of the name."""
    persian = "شرکت نرم\u200cافزار"
    malayalam = "\u0d15\u0d4d\u200d"  # ക്‍, the chillu written with a joiner
    emoji = "B\U0001f468\u200d\U0001f4bb Works"
    event = _registration(legal_name=persian, aliases=[f"{malayalam}B", emoji])
    assert await typed(pool, event) == {"accepted": True, "errors": []}


async def test_an_identifier_value_and_a_source_with_a_control_character_are_refused(
    pool: asyncpg.Pool,
) -> None:
    """A tester's identifier "A\\u2028B\\u0085C\\u001bD" was recorded, and the exclusions
    CSV carried its ESC; a `source` of "x\\r\\ny" too."""
    identifiers = [{"scheme": "internal", "value": "A\u2028B\u0085C\u001bD"}]
    assert await typed(pool, _registration(identifiers=identifiers)) == _refused(
        "payload.identifiers.0.value", "U+2028"
    )
    assert await submitted(pool, {**_registration(), "source": "x\r\ny"}) == _refused(
        "source", "U+000D"
    )
    assert await logged(pool) == 0


async def test_a_reason_holds_line_breaks_and_no_other_control_character(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, case_b.registered())
    escaped = case_b.suspended(reason="Lost data.\x1b[2J")
    message = "must be text without control characters other than line breaks and tabs; it has"
    assert await typed(pool, escaped) == _problem(
        "payload.reason", f"{message} U+001B", "control_character"
    )
    assert await logged(pool) == 0
    lines = case_b.suspended(reason="Lost data.\r\n\tRe-subcontracted without approval.")
    assert await typed(pool, lines) == {"accepted": True, "errors": []}
