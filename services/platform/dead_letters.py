"""The dead-letter store: input that could not be accepted or applied, kept with its reason."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.platform.database import Connection


@dataclass(frozen=True)
class DeadLetter:
    stage: str
    reason: str
    raw: str
    event_id: uuid.UUID | None = None
    event_type: str | None = None


@dataclass(frozen=True)
class StoredDeadLetter:
    id: int
    stage: str
    reason: str
    raw: str
    event_id: uuid.UUID | None
    event_type: str | None
    recorded_at: datetime


def as_text(raw: bytes | str) -> str:
    """Input (or a reason quoting it) as storable text: PostgreSQL text cannot hold NUL, and
    the dead letter must keep whatever was sent, readable."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates
    return text.replace("\x00", "\\u0000")


async def record_many(conn: Connection, letters: Sequence[DeadLetter]) -> None:
    """Records each letter once: the same input refused at the same stage again (a retried
    batch, a redelivered message) is the same refusal."""
    if not letters:
        return
    await conn.executemany(
        "INSERT INTO dead_letters (stage, event_id, event_type, reason, raw, raw_hash)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stage, raw_hash) DO NOTHING",
        [
            (
                letter.stage,
                letter.event_id,
                letter.event_type,
                as_text(letter.reason),
                as_text(letter.raw),
                hashlib.sha256(as_text(letter.raw).encode()).hexdigest(),
            )
            for letter in letters
        ],
    )


_SELECT = "SELECT id, stage, event_id, event_type, reason, raw, recorded_at FROM dead_letters"


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


async def of_event(conn: Connection, event_id: uuid.UUID) -> list[StoredDeadLetter]:
    rows = await conn.fetch(f"{_SELECT} WHERE event_id = $1 ORDER BY id", event_id)
    return [StoredDeadLetter(**dict(row)) for row in rows]
