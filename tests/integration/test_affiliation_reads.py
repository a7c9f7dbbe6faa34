"""A vendor's affiliations read the same whether it is asked about alone or among many (the
statement takes its ids as a set from `AS_A_SET_FROM` ids on)."""

from __future__ import annotations

import asyncpg
import pytest

from services.registry.storage.vendor_repository import AS_A_SET_FROM, affiliation_events
from tests.support import case_b
from tests.support.registry_db import apply

pytestmark = pytest.mark.postgres


async def test_few_and_many_ids_read_the_same_affiliations(pool: asyncpg.Pool) -> None:
    await apply(
        pool,
        case_b.registered(),
        case_b.subsidiary(),
        case_b.owned_by_b("2020-04-01"),
        case_b.owned_by_b("2021-04-01", change="removed"),
    )
    others = [f"vendor-{n}" for n in range(AS_A_SET_FROM)]
    async with pool.acquire() as conn:
        for asked in ([case_b.VENDOR], [case_b.SUBSIDIARY]):
            alone = await affiliation_events(conn, asked, None)
            among_many = await affiliation_events(conn, [*others, *asked], None)
            assert [e.change.value for e in alone] == ["added", "removed"]
            assert among_many == alone
        assert await affiliation_events(conn, others, None) == []
