"""The dead-letter store: input that could not be accepted or applied, kept with its reason."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.platform.postgres.database import Connection

# A reason quotes what it refuses (an unknown event type, a key); a megabyte of it would
# be a megabyte in every log line and every page of dead letters.
MAX_REASON_CHARS = 2000
# A Kafka key kept with its letter: longer than any vendor id, it names none, and is cut.
MAX_KEY_CHARS = 200


@dataclass(frozen=True)
class DeadLetter:
    """`raw` as received (bytes), or as a service re-serialised it (text)."""

    stage: str
    reason: str
    raw: bytes | str
    event_id: uuid.UUID | None = None
    event_type: str | None = None
    # The Kafka record's key, when the input came in one: the vendor a letter of input that
    # names none is found by (platform migration 0024).
    kafka_key: bytes | None = None


@dataclass(frozen=True)
class StoredDeadLetter:
    id: int
    stage: str
    reason: str
    raw: str
    # The input byte for byte when `raw` cannot show it exactly (NUL, not UTF-8), else None.
    raw_bytes: bytes | None
    event_id: uuid.UUID | None
    event_type: str | None
    # The vendor the input names (its `vendor_id`, where that is a vendor id), else the one
    # its Kafka record's key named; None when neither does: derived by the table from `raw`
    # and the key (platform migrations 0023, 0024).
    vendor_id: str | None
    recorded_at: datetime
    # The service that refused the event has applied it since: a rebuild judged the log again
    # (another policy, a rule gone) and accepted it. The letter stays, as what was refused
    # then and why; its service's ledger says what holds now.
    overturned: bool


def as_text(raw: bytes | str) -> str:
    """Input (or a reason quoting it) as storable text: PostgreSQL text cannot hold NUL, and
    the dead letter must keep whatever was sent, readable."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates
    return text.replace("\x00", "\\u0000")


def readable_reason(reason: str) -> str:
    """A reason as it can be stored and logged: text, and not longer than MAX_REASON_CHARS."""
    text = as_text(reason)
    if len(text) <= MAX_REASON_CHARS:
        return text
    return f"{text[:MAX_REASON_CHARS]}… ({len(text) - MAX_REASON_CHARS} more characters)"


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    text = as_text(key)
    return text if len(text) <= MAX_KEY_CHARS else text[:MAX_KEY_CHARS] + "…"


def _exact(raw: bytes | str) -> bytes:
    # surrogatepass: a lone surrogate in text is kept as the bytes Python holds, not lost.
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", errors="surrogatepass")


async def record_many(conn: Connection, letters: Sequence[DeadLetter]) -> list[bool]:
    """Records each letter once: the same input refused at the same stage again (a retried
    batch, a redelivered message) is the same refusal. Whatever the input holds, recording
    it cannot fail: a refusal that could not be written would roll back its whole batch.
    Returns, per letter in order, whether it is new (False: that input's letter was kept
    already, or is earlier in `letters`)."""
    if not letters:
        return []
    rows = []
    for letter in letters:
        exact, text = _exact(letter.raw), as_text(letter.raw)
        rows.append(
            (
                letter.stage,
                letter.event_id,
                letter.event_type and as_text(letter.event_type),
                readable_reason(letter.reason),
                text,
                None if text.encode() == exact else exact,
                hashlib.sha256(exact).hexdigest(),
                _key_text(letter.kafka_key),
            )
        )
    # One statement for the batch's letters: each statement that writes letters adds a row
    # to their tallies (migration 0007), so a batch refusing 2,000 lines adds one, not 2,000.
    # DO NOTHING skips a letter equal to one earlier in the same statement too. In the order
    # they came: letters are listed by their ids, in the order they arrived.
    inserted = await conn.fetch(
        """INSERT INTO dead_letters (stage, event_id, event_type, reason, raw, raw_bytes, raw_hash,
                                    kafka_key)
           SELECT stage, event_id, event_type, reason, raw, raw_bytes, raw_hash, kafka_key
           FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bytea[],
                       $7::text[], $8::text[])
               WITH ORDINALITY AS l(stage, event_id, event_type, reason, raw, raw_bytes,
                                    raw_hash, kafka_key, n)
           ORDER BY n
           ON CONFLICT (stage, raw_hash) DO NOTHING
           RETURNING stage, raw_hash""",
        *([row[i] for row in rows] for i in range(8)),
    )
    # The tallies folded here too, not only when /metrics is scraped: without a scraper (an
    # embedded registry), every statement writing letters added a row that `count` summed.
    await conn.execute(_FOLD)
    unclaimed = {(r["stage"], r["raw_hash"]) for r in inserted}
    new: list[bool] = []
    for row in rows:
        key = (row[0], row[6])
        new.append(key in unclaimed)
        unclaimed.discard(key)  # the first of equal letters is the one written
    return new


_SELECT = """SELECT d.id, d.stage, d.event_id, d.event_type, d.vendor_id, d.reason, d.raw,
        d.raw_bytes, d.recorded_at, EXISTS (SELECT 1 FROM processed_events p
                               WHERE p.consumer = d.stage AND p.event_id = d.event_id
                                 AND NOT p.refused) AS overturned
    FROM dead_letters d"""


@dataclass(frozen=True)
class Filters:
    """Which letters a page lists: each given filter narrows it (None: any)."""

    vendor_id: str | None = None
    stage: str | None = None
    event_type: str | None = None
    recorded_from: datetime | None = None  # this moment included
    recorded_before: datetime | None = None  # this moment left out

    @property
    def any(self) -> bool:
        return self != Filters()


# A page of `latest`: $1 the limit, $2 the letter it follows, then `arguments(filters)`.
PAGE = f"""{_SELECT}
    WHERE ($2::bigint IS NULL
           OR (d.recorded_at, d.id) < (SELECT c.recorded_at, c.id FROM dead_letters c
                                       WHERE c.id = $2))
      AND ($3::text IS NULL OR d.vendor_id = $3)
      AND ($4::text IS NULL OR d.stage = $4)
      AND ($5::text IS NULL OR d.event_type = $5)
      AND ($6::timestamptz IS NULL OR d.recorded_at >= $6)
      AND ($7::timestamptz IS NULL OR d.recorded_at < $7)
    ORDER BY d.recorded_at DESC, d.id DESC LIMIT $1"""


async def latest(
    conn: Connection, limit: int, after_id: int | None = None, filters: Filters = Filters()
) -> list[StoredDeadLetter]:
    """The newest dead letters that `filters` let through, by the moment recorded then by
    number (after the letter `after_id` in that order when given). Each filter and the time
    range are ranges of an index of that order (platform migration 0022), so a page reads
    about its own rows however many letters others have."""
    rows = await conn.fetch(PAGE, limit, after_id, *arguments(filters))
    return [StoredDeadLetter(**dict(row)) for row in rows]


def arguments(filters: Filters) -> tuple[object, ...]:
    """The filters as the statements' parameters, in their order."""
    return (
        filters.vendor_id,
        filters.stage,
        filters.event_type,
        filters.recorded_from,
        filters.recorded_before,
    )


async def count_of(conn: Connection, filters: Filters) -> int:
    """The letters `filters` let through: from the tallies without a filter, or with a stage
    alone; otherwise counted on the index of the filter, so as many rows as match are read."""
    if not filters.any:
        return await count(conn)
    if filters == Filters(stage=filters.stage):
        return (await per_stage(conn)).get(filters.stage or "", 0)
    total: int = await conn.fetchval(
        """SELECT count(*) FROM dead_letters d
           WHERE ($1::text IS NULL OR d.vendor_id = $1)
             AND ($2::text IS NULL OR d.stage = $2)
             AND ($3::text IS NULL OR d.event_type = $3)
             AND ($4::timestamptz IS NULL OR d.recorded_at >= $4)
             AND ($5::timestamptz IS NULL OR d.recorded_at < $5)""",
        *arguments(filters),
    )
    return total


async def count(conn: Connection) -> int:
    """Every dead letter stored, from their tallies: as exact as `count(*)` in any snapshot
    (the triggers of migration 0007 write them in the letters' transactions), without
    reading the letters."""
    total: int = await conn.fetchval("SELECT coalesce(sum(letters), 0) FROM dead_letter_tallies")
    return total


async def per_stage(conn: Connection) -> dict[str, int]:
    """The dead letters stored per stage, from their tallies (a stage whose letters were all
    deleted is there with 0). Folds each stage's tallies into one row first, so what this
    reads stays about one row per stage, plus the statements that wrote letters since."""
    await conn.execute(_FOLD)
    rows = await conn.fetch(
        "SELECT stage, sum(letters)::bigint AS letters FROM dead_letter_tallies GROUP BY stage"
    )
    return {row["stage"]: row["letters"] for row in rows}


# The rows of each stage that has more than one, replaced by their sum in one statement, so
# the sum never changes in any snapshot. SKIP LOCKED: two replicas folding at once take
# disjoint rows (each folds its own, the other's stay as they were or are folded by it)
# rather than wait for each other.
_FOLD = """
WITH taken AS (
    DELETE FROM dead_letter_tallies
    WHERE id IN (SELECT id FROM dead_letter_tallies
                 WHERE stage IN (SELECT stage FROM dead_letter_tallies
                                 GROUP BY stage HAVING count(*) > 1)
                 FOR UPDATE SKIP LOCKED)
    RETURNING stage, letters)
INSERT INTO dead_letter_tallies (stage, letters)
SELECT stage, sum(letters) FROM taken GROUP BY stage"""


async def named(conn: Connection, ids: Sequence[int]) -> dict[int, StoredDeadLetter]:
    rows = await conn.fetch(f"{_SELECT} WHERE d.id = ANY($1::bigint[])", list(ids))
    return {row["id"]: StoredDeadLetter(**dict(row)) for row in rows}


async def of_event(conn: Connection, event_id: uuid.UUID) -> list[StoredDeadLetter]:
    rows = await conn.fetch(f"{_SELECT} WHERE d.event_id = $1 ORDER BY d.id", event_id)
    return [StoredDeadLetter(**dict(row)) for row in rows]
