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


@dataclass(frozen=True)
class DeadLetter:
    """`raw` as received (bytes), or as a service re-serialised it (text)."""

    stage: str
    reason: str
    raw: bytes | str
    event_id: uuid.UUID | None = None
    event_type: str | None = None


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
    recorded_at: datetime


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


def _exact(raw: bytes | str) -> bytes:
    # surrogatepass: a lone surrogate in text is kept as the bytes Python holds, not lost.
    return raw if isinstance(raw, bytes) else raw.encode("utf-8", errors="surrogatepass")


async def record_many(conn: Connection, letters: Sequence[DeadLetter]) -> None:
    """Records each letter once: the same input refused at the same stage again (a retried
    batch, a redelivered message) is the same refusal. Whatever the input holds, recording
    it cannot fail: a refusal that could not be written would roll back its whole batch."""
    if not letters:
        return
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
            )
        )
    await conn.executemany(
        "INSERT INTO dead_letters (stage, event_id, event_type, reason, raw, raw_bytes, raw_hash)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stage, raw_hash) DO NOTHING",
        rows,
    )


_SELECT = (
    "SELECT id, stage, event_id, event_type, reason, raw, raw_bytes, recorded_at FROM dead_letters"
)


async def latest(
    conn: Connection, limit: int, before_id: int | None = None
) -> list[StoredDeadLetter]:
    """The newest dead letters (older than `before_id` when given)."""
    rows = await conn.fetch(
        f"{_SELECT} WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1",
        limit,
        before_id,
    )
    return [StoredDeadLetter(**dict(row)) for row in rows]


async def count(conn: Connection) -> int:
    total: int = await conn.fetchval("SELECT count(*) FROM dead_letters")
    return total


async def named(conn: Connection, ids: Sequence[int]) -> dict[int, StoredDeadLetter]:
    rows = await conn.fetch(f"{_SELECT} WHERE id = ANY($1::bigint[])", list(ids))
    return {row["id"]: StoredDeadLetter(**dict(row)) for row in rows}


async def of_event(conn: Connection, event_id: uuid.UUID) -> list[StoredDeadLetter]:
    rows = await conn.fetch(f"{_SELECT} WHERE event_id = $1 ORDER BY id", event_id)
    return [StoredDeadLetter(**dict(row)) for row in rows]
