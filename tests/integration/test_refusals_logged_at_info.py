"""A refusal of input is the client's mistake, one INFO line (services/platform/README.md,
"A client's mistake is one INFO line"), on a real PostgreSQL: the registry's verdict on an
event and ingest's on input it cannot store. Both were WARNINGs: 400 policy refusals were 400
WARNING lines, drowning the system's own problems."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from services.ingest.handlers import ingest_batch
from tests.support import case_b
from tests.support.registry_db import rejection

pytestmark = pytest.mark.postgres


async def test_the_registrys_refusal_is_one_info_line(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    suspended = case_b.suspended()  # of a vendor never registered
    reason = await rejection(pool, suspended)
    said = [(r.levelname, r.getMessage()) for r in caplog.records if "refused" in r.getMessage()]
    assert said == [("INFO", f"registry refused {suspended['event_id']}: {reason}")]


async def test_ingests_refusal_is_one_info_line(
    pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await ingest_batch(pool, [b'{"event_type": "vendor.registered"'])
    said = [(r.levelname, r.getMessage()) for r in caplog.records if "rejected" in r.getMessage()]
    assert len(said) == 1 and said[0][0] == "INFO", said
