"""Ingest against a real PostgreSQL: accepted once, bad input dead-lettered with its reason."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest

from services.events.catalog import MAX_EVENT_BYTES, NO_VALUE, parse_event
from services.ingest.admission import Placement
from services.ingest.handlers import Accepted, Rejected, ingest_batch
from services.platform.consuming import dead_letters
from services.platform.eventlog.base import Writer
from services.platform.eventstore import (
    chain,
    event_queries,
    event_store,
    parsed_events,
    verification,
)
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.live_consumers import drain_registry

pytestmark = pytest.mark.postgres


async def test_valid_event_is_stored_once_and_a_resend_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    raw = case_b.line(case_b.registered())
    first, second = await ingest_batch(pool, [raw, raw])
    assert isinstance(first, Accepted) and first.new
    assert isinstance(second, Accepted) and not second.new
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0


async def test_reused_event_id_with_other_content_is_refused(pool: asyncpg.Pool) -> None:
    original = case_b.registered()
    altered = {**original, "source": "someone.else"}
    outcomes = await ingest_batch(pool, [case_b.line(original), case_b.line(altered)])
    assert isinstance(outcomes[1], Rejected)
    assert "already accepted with different content" in outcomes[1].reason
    stored = await pool.fetchval("SELECT envelope->>'source' FROM event_store")
    assert stored == "city.procurement"


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        (b"{not json", "not a JSON object"),
        (b"[1, 2]", "not a JSON object"),
        (
            case_b.line({**case_b.registered(), "event_type": "vendor.teleported"}),
            "unknown event type 'vendor.teleported'",
        ),
        (
            case_b.line({**case_b.suspended(), "payload": {"kind": "bid_suspension"}}),
            "payload.sanction_id",
        ),
        (
            # Refused as a type only services emit, not for the fields its payload lacks.
            case_b.line({**case_b.registered(), "event_type": "vendor.eligibility_changed"}),
            "event_type: vendor.eligibility_changed is emitted by VendorWatch's services only",
        ),
    ],
    ids=["malformed-json", "not-an-object", "unknown-type", "missing-field", "emitted-type"],
)
async def test_bad_input_is_dead_lettered_and_the_next_valid_event_still_accepted(
    pool: asyncpg.Pool, raw: bytes, reason_part: str
) -> None:
    valid = case_b.line(case_b.registered())
    outcomes = await ingest_batch(pool, [raw, valid])
    assert isinstance(outcomes[0], Rejected)
    assert isinstance(outcomes[1], Accepted)
    async with pool.acquire() as conn:
        (letter,) = await dead_letters.latest(conn, 10)
    assert letter.stage == "ingest"
    assert reason_part in letter.reason
    assert letter.raw == raw.decode()
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1


async def test_a_refused_input_that_gives_a_readable_id_is_found_by_it(pool: asyncpg.Pool) -> None:
    # Its dead letter held no id: `eventStatus` of the id the producer sent answered as if it
    # had never arrived. A naive time, a bad check digit: the id and type are still readable.
    naive = {**case_b.registered(), "occurred_at": "2022-07-08T10:00:00"}
    garbled = {"event_id": "not-a-uuid", "event_type": "no.such_type"}
    await ingest_batch(pool, [case_b.line(naive), json.dumps(garbled).encode()])
    async with pool.acquire() as conn:
        (letter,) = await dead_letters.of_event(conn, uuid.UUID(naive["event_id"]))
        assert (letter.event_type, letter.stage) == ("vendor.registered", "ingest")
        assert "occurred_at" in letter.reason
        kept = await pool.fetch("SELECT event_id, event_type FROM dead_letters ORDER BY id")
    # What is not a UUID or a type of the catalog is not taken for one.
    assert [tuple(row) for row in kept][1] == (None, None)


async def test_a_partial_recorded_by_is_refused_as_the_claim_it_is(pool: asyncpg.Pool) -> None:
    # It was refused for `recorded_by.role: Field required`, a reason inviting the producer to
    # add the role, when a whole one is refused whatever it says.
    partial = {**case_b.registered(), "recorded_by": {"subject": "mallory"}}
    whole = {
        **case_b.registered(),
        "event_id": str(uuid.uuid4()),
        "recorded_by": {"subject": "mallory", "role": "admin"},
    }
    await ingest_batch(pool, [case_b.line(partial), case_b.line(whole)])
    async with pool.acquire() as conn:
        (refused_partial,) = await dead_letters.of_event(conn, uuid.UUID(partial["event_id"]))
        (refused_whole,) = await dead_letters.of_event(conn, uuid.UUID(whole["event_id"]))
    assert (
        refused_partial.reason
        == refused_whole.reason
        == (
            "recorded_by: set only by the API, from the caller's verified token;"
            " a producer cannot claim it"
        )
    )
    assert refused_partial.event_type == "vendor.registered"
    # The API's own writes carry it: a partial one from there is the catalog's to refuse.
    api = {**partial, "event_id": str(uuid.uuid4())}
    (outcome,) = await ingest_batch(pool, [case_b.line(api)], Writer.API)
    assert isinstance(outcome, Rejected) and outcome.reason.startswith("recorded_by.role")


async def test_nul_bytes_in_bad_input_are_kept_readable(pool: asyncpg.Pool) -> None:
    await ingest_batch(pool, [b'{"event_type": "x\x00"}'])
    raw = await pool.fetchval("SELECT raw FROM dead_letters")
    assert json.loads(raw) == {"event_type": "x\x00"}


async def test_appends_to_one_partition_commit_in_order_and_others_do_not_wait(
    pool: asyncpg.Pool,
) -> None:
    """A later append to the same partition waits for an earlier one still in flight, so a
    consumer following a partition's seqs never skips one; another partition's writer goes
    on meanwhile."""
    first = case_b.registered()
    partition = chain.partition_of(case_b.VENDOR)
    same = next(v for v in _vendor_ids() if chain.partition_of(v) == partition)
    other = next(v for v in _vendor_ids() if chain.partition_of(v) != partition)
    async with pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        await event_store.append_batch(slow, [parse_event(case_b.line(first))])
        waiting = asyncio.create_task(
            ingest_batch(pool, [case_b.line(case_b.another_vendor(same))])
        )
        elsewhere = await asyncio.wait_for(
            ingest_batch(pool, [case_b.line(case_b.another_vendor(other))]), timeout=5
        )
        assert isinstance(elsewhere[0], Accepted)
        await asyncio.sleep(0.3)
        assert not waiting.done(), "an append to a partition committed before an earlier one"
        await transaction.commit()
    await waiting
    rows = await pool.fetch(
        "SELECT vendor_id, seq FROM event_store WHERE partition = $1 ORDER BY position", partition
    )
    assert [(r["vendor_id"], r["seq"]) for r in rows] == [(case_b.VENDOR, 1), (same, 2)]


def _vendor_ids() -> list[str]:
    return [f"vendor-{i}" for i in range(100)]


async def test_a_nul_in_a_key_is_refused_without_taking_the_batch_with_it(
    pool: asyncpg.Pool,
) -> None:
    """The refusal's reason quotes the key, NUL and all; PostgreSQL text cannot hold NUL."""
    poison = b'{"event_type": "vendor.registered", "payload\\u0000": {}}'
    valid = [case_b.line(case_b.another_vendor(f"vendor-{i}")) for i in range(40)]
    outcomes = await ingest_batch(pool, [poison, *valid])
    assert isinstance(outcomes[0], Rejected)
    assert all(isinstance(o, Accepted) for o in outcomes[1:])
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 40
    reason = await pool.fetchval("SELECT reason FROM dead_letters")
    assert "\x00" not in reason and "payload\\u0000" in reason


async def test_each_producers_tombstone_is_a_letter_naming_its_key(pool: asyncpg.Pool) -> None:
    # A record without a value has no bytes to keep: each was the same letter, the first,
    # naming no one, and every later one was dropped as that input again.
    valid = case_b.line(case_b.registered())
    for _ in range(2):  # a redelivery is the same input: no second letter
        placements = [Placement(b"vendor-x"), Placement(b"vendor-y"), Placement(b"vendor-b")]
        await ingest_batch(pool, [None, None, valid], placements=placements)
    letters = await pool.fetch("SELECT reason, raw FROM dead_letters ORDER BY raw")
    assert [(r["reason"], r["raw"]) for r in letters] == [
        (NO_VALUE, "(no value; Kafka key 'vendor-x')"),
        (NO_VALUE, "(no value; Kafka key 'vendor-y')"),
    ]
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1


async def test_input_text_cannot_show_is_kept_byte_for_byte_one_letter_each(
    pool: asyncpg.Pool,
) -> None:
    """`raw` is readable text (NUL escaped, bad bytes replaced); `raw_bytes` has the input
    exactly, so inputs that only differ where text cannot show it are letters of their own."""
    inputs = [b"\xff", b"\xfe", b'{"event_type": "x\x00"}', b'{"event_type": "x\\u0000"}']
    outcomes = await ingest_batch(pool, [*inputs, case_b.line(case_b.registered())])
    assert [type(o) for o in outcomes] == [Rejected] * 4 + [Accepted]
    async with pool.acquire() as conn:
        letters = sorted(await dead_letters.latest(conn, 10), key=lambda letter: letter.id)
    assert [letter.raw_bytes or letter.raw.encode() for letter in letters] == inputs
    assert [letter.raw_bytes is None for letter in letters] == [False, False, False, True]


async def test_a_reason_quoting_a_huge_input_is_cut_short(pool: asyncpg.Pool) -> None:
    (outcome,) = await ingest_batch(pool, [b'{"event_type": "' + b"x" * 900_000 + b'"}'])
    assert isinstance(outcome, Rejected)
    reason = await pool.fetchval("SELECT reason FROM dead_letters")
    assert reason.startswith("event_type: unknown event type") and len(reason) <= 2100


def _listing(vendor_id: str, occurred_at: str, candidate: dict[str, Any]) -> dict[str, Any]:
    """An importer's listing of 500 review candidates, each `candidate` (its own line and ids)."""
    return {
        "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"listing/{vendor_id}")),
        "event_type": "import.candidates_listed",
        "schema_version": 1,
        "occurred_at": occurred_at,
        "source": "importer",
        "vendor_id": vendor_id,
        "payload": {
            "source": "worldbank",
            "report_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"report/{vendor_id}")),
            "offset": 0,
            "candidates": [
                {**candidate, "line": n + 1, "vendor_id": f"v-{n}", "candidate_vendor_id": f"c-{n}"}
                for n in range(500)
            ],
        },
    }


def _compact(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def _growing_at_the_limit() -> bytes:
    """An event of exactly MAX_EVENT_BYTES as sent whose canonical JSON, what the store keeps
    and forwards, is longer: its scores are sent as integers (written 90.0) and its time
    without seconds."""
    wide = "名" * 209  # three bytes a character
    candidate = {"name": wide, "candidate_name": wide, "score": 90, "why": wide}
    event = _listing("import-x", "2024-04-01T09:30+09:00", candidate)
    for candidate in event["payload"]["candidates"]:
        room = MAX_EVENT_BYTES - len(_compact(event))
        candidate["why"] = wide + "w" * min(room, 300 - len(wide))
    raw = _compact(event)
    assert len(raw) == MAX_EVENT_BYTES
    return raw


async def test_an_event_longer_as_stored_than_the_limit_is_refused_saying_so(
    pool: asyncpg.Pool,
) -> None:
    # Stored and forwarded as it was sent, every reader downstream would refuse it: lost in
    # distributed mode, a stalled registry in embedded mode, a log `verify` calls broken.
    raw = _growing_at_the_limit()
    outcomes = await ingest_batch(pool, [raw, case_b.line(case_b.registered())])
    assert [type(o) for o in outcomes] == [Rejected, Accepted]
    assert isinstance(outcomes[0], Rejected)
    assert "as stored" in outcomes[0].reason
    assert f"at most {MAX_EVENT_BYTES:,}" in outcomes[0].reason
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1
    stored = await pool.fetchval("SELECT envelope::text FROM event_store")
    parse_event(stored)  # what was stored, every reader accepts


def _near_the_limit_in_many_fields() -> bytes:
    """An event whose canonical JSON is just under MAX_EVENT_BYTES, in thousands of fields:
    PostgreSQL's jsonb gives it back with a space after every colon and comma, past the
    limit."""
    wide = "名" * 300  # the longest name, three bytes a character
    candidate = {"name": wide, "candidate_name": wide, "score": 90.0, "why": "w"}
    event = _listing("import-y", "2024-04-01T09:30:00+09:00", candidate)

    def stored() -> int:
        return len(event_store.canonical_json(parse_event(_compact(event))).encode())

    room = MAX_EVENT_BYTES - 10 - stored()
    for candidate in event["payload"]["candidates"]:
        added = min(299, room)
        candidate["why"] += "w" * added
        room -= added
    assert MAX_EVENT_BYTES - 300 < stored() <= MAX_EVENT_BYTES
    return _compact(event)


async def test_an_event_at_the_limit_reads_back_from_the_store(pool: asyncpg.Pool) -> None:
    # Every reader of the store parses its jsonb text: the size check refused it there, so
    # `verify` called the log broken, and the API's queries, risk and the embedded consumers
    # reading it from the store (not from this process's memory) stopped at it.
    (outcome,) = await ingest_batch(pool, [_near_the_limit_in_many_fields()])
    assert isinstance(outcome, Accepted)
    (row,) = await pool.fetch("SELECT content_hash, envelope::text AS text FROM event_store")
    assert len(row["text"].encode()) > MAX_EVENT_BYTES
    (read,) = parsed_events.parse([(row["content_hash"], row["text"])])
    assert read == outcome.envelope
    async with pool.acquire() as conn:
        events, _ = await event_queries.vendor_timeline(conn, "import-y", 0, 10, counted=False)
    assert [e.envelope.event_id for e in events] == [outcome.envelope.event_id]
    assert (await verification.verify(pool)).problems == ()


async def test_the_same_event_recorded_from_another_address_is_stored_once(
    pool: asyncpg.Pool,
) -> None:
    """A retry through the API from another address differs only in `recorded_by`: the same
    event, whether its first copy is stored already or in the same batch, not a reused id."""
    first = case_b.registered()

    def recorded(client: str) -> bytes:
        by = {"subject": "officer@city", "role": "procurement_officer", "client": client}
        return case_b.line({**first, "recorded_by": by})

    (stored,) = await ingest_batch(pool, [recorded("192.0.2.10")], Writer.API)
    again, in_batch = await ingest_batch(
        pool, [recorded("198.51.100.7"), recorded("203.0.113.5")], Writer.API
    )
    assert isinstance(stored, Accepted) and stored.new
    assert all(isinstance(o, Accepted) and not o.new for o in (again, in_batch))
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 1
    assert await pool.fetchval("SELECT envelope->'recorded_by'->>'client' FROM event_store") == (
        "192.0.2.10"
    )
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    # Other content under the id is still refused, and so is a producer's copy: only the API's
    # says who decided (an officer's review must), the two are not one event recorded twice.
    other = case_b.line({**first, "source": "someone.else"})
    (refused,) = await ingest_batch(pool, [other])
    assert isinstance(refused, Rejected) and "already accepted" in refused.reason
    (unrecorded,) = await ingest_batch(pool, [case_b.line(first)], Writer.PRODUCER)
    assert isinstance(unrecorded, Rejected) and "already accepted" in unrecorded.reason


async def test_a_mutation_retried_under_its_key_is_stored_once_whenever_its_copies_arrive(
    pool: asyncpg.Pool,
) -> None:
    """A mutation sent again under its idempotency key while its first attempt was still on
    its way to the log (a timeout during a broker outage) arrives stamped at its own request:
    the API's copies differ in `occurred_at` too, and are still one event. A producer's
    `occurred_at` is what it says happened: its copies stay two events, the second refused."""
    first = {**case_b.registered(), "source": "vendorwatch.api"}

    def attempt(minute: int) -> bytes:
        by = {"subject": "erp@city", "role": "procurement_officer", "client": "192.0.2.10"}
        stamped = f"2026-12-04T09:{minute:02d}:00+09:00"
        return case_b.line({**first, "occurred_at": stamped, "recorded_by": by})

    (stored,) = await ingest_batch(pool, [attempt(0)], Writer.API)
    later, in_batch = await ingest_batch(pool, [attempt(1), attempt(2)], Writer.API)
    assert isinstance(stored, Accepted) and stored.new
    assert all(isinstance(o, Accepted) and not o.new for o in (later, in_batch))
    assert await pool.fetchval("SELECT envelope->>'occurred_at' FROM event_store") == (
        "2026-12-04T09:00:00+09:00"
    )
    assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    producers = {**case_b.registered(), "event_id": str(uuid.uuid4())}
    ingested = await ingest_batch(
        pool,
        [case_b.line(producers), case_b.line({**producers, "occurred_at": "2026-12-04T09:05:00Z"})],
    )
    assert isinstance(ingested[1], Rejected) and "already accepted" in ingested[1].reason


async def test_a_producers_text_with_invisible_or_control_characters_is_refused_at_its_field(
    pool: asyncpg.Pool, database_url: str
) -> None:
    # The API's receipt refused them; `publish`, Kafka and the importers went past it, and
    # the names reached search, screening and every export ("GOOD\u202eKK" shown reversed).
    bidi = case_b.another_vendor("vendor-bidi")
    bidi["payload"]["legal_name"] = "GOOD\u202eKK TRADING LTD."
    bell = case_b.another_vendor("vendor-bell")
    bell["payload"]["aliases"] = ["ESC\x1bAPE LTD."]
    blank = case_b.another_vendor("vendor-blank")
    blank["payload"]["legal_name"] = "\u200b\u200b"
    outcomes = await ingest_batch(pool, [case_b.line(e) for e in (bidi, bell, blank)])
    assert [o.reason for o in outcomes if isinstance(o, Rejected)] == [
        "payload.legal_name: must be text without invisible format characters;"
        " it has U+202E (RIGHT-TO-LEFT OVERRIDE)",
        "payload.aliases.0: must be one line of text without control characters; it has U+001B",
        "payload.legal_name: must not be blank (it has only invisible characters:"
        " U+200B (ZERO WIDTH SPACE))",
    ]
    assert await pool.fetchval("SELECT count(*) FROM event_store") == 0
    async with pool.acquire() as conn:
        (letter,) = await dead_letters.of_event(conn, uuid.UUID(bidi["event_id"]))
    assert letter.reason.startswith("payload.legal_name: ")
    # An event stored before the check is judged as it was: the registry, and a rebuild,
    # read the store, not this entrance.
    async with pool.acquire() as conn, conn.transaction():
        await event_store.append_batch(conn, [parse_event(case_b.line(bidi))])
    await drain_registry(database_url, Settings(database_url=database_url))
    legal = await pool.fetchval(
        "SELECT legal_name FROM registry_vendors WHERE vendor_id = 'vendor-bidi'"
    )
    assert legal == "GOOD\u202eKK TRADING LTD."


async def test_a_letter_of_input_naming_no_vendor_is_found_by_the_vendor_its_key_names(
    pool: asyncpg.Pool,
) -> None:
    """Unreadable bytes, an empty value and a tombstone keyed by a vendor had letters with no
    vendor, which `deadLetters(vendorId:)` did not find, though the record's key named one.
    The key is the producer's word, as unverified as the input, and only input that names no
    vendor of its own takes it; a key that is no vendor id names none."""
    named = case_b.line(case_b.registered("D-0031"))  # keyed otherwise: its own vendor stands
    inputs = [b"\xff\xfe\x00garbage", b"[1,2,3]", b"", None, b"{}", named]
    keys = [b"D-0013", b"D-0013", b"D-0025", b"D-0027", b"not a vendor id", b"D-0013"]
    await ingest_batch(pool, inputs, placements=[Placement(k) for k in keys])
    async with pool.acquire() as conn:
        page = await dead_letters.latest(conn, 10, filters=dead_letters.Filters(vendor_id="D-0013"))
    assert [letter.raw for letter in page] == ["[1,2,3]", "\ufffd\ufffd\\u0000garbage"]
    letters = await pool.fetch("SELECT raw, vendor_id, kafka_key FROM dead_letters ORDER BY id")
    assert [(r["vendor_id"], r["kafka_key"]) for r in letters] == [
        ("D-0013", "D-0013"),
        ("D-0013", "D-0013"),
        ("D-0025", "D-0025"),
        ("D-0027", "D-0027"),
        (None, "not a vendor id"),
        ("D-0031", "D-0013"),
    ]
