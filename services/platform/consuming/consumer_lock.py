"""One advisory lock key per consumer, so that a rebuild and live batches of it never
interleave: every batch (apply_batch) holds it shared for its transaction, so replicas of a
worker never wait for each other; a rebuild holds it exclusively
(platform/consuming/rebuilding.py)."""

from __future__ import annotations

import zlib

SHARED_FOR_BATCH = "SELECT pg_advisory_xact_lock_shared($1)"


def lock_key(consumer: str) -> int:
    return zlib.crc32(f"consumer {consumer}".encode())
