"""The address recorded with an event the API records (`recorded_by.client`, the audit trail's
caller) is the connection's unless it comes from a proxy VENDORWATCH_FORWARDED_ALLOW_IPS names:
only then is X-Forwarded-For believed (uvicorn on a real port, a real PostgreSQL). uvicorn
had believed it from 127.0.0.1 by default: "X-Forwarded-For: 6.6.6.6, 1.2.3.4" sent from the
machine itself recorded 1.2.3.4."""

from __future__ import annotations

import asyncpg
import pytest

from services.gateway.app import create_app
from services.platform.security.auth import AuthConfig, TokenVerifier
from services.platform.settings import Settings
from tests.support.in_process_api import shared_context
from tests.support.principals import TEST_SECRET, token
from tests.support.served_api import served

pytestmark = pytest.mark.postgres

FORWARDED = {"x-forwarded-for": "6.6.6.6, 1.2.3.4"}


async def _recorded_client(pool: asyncpg.Pool, vendor_id: str, trusted: str) -> str:
    """The client recorded with a registration sent from 127.0.0.1 with FORWARDED, the API
    served with VENDORWATCH_FORWARDED_ALLOW_IPS set to `trusted`."""
    settings = Settings(database_url="unused", forwarded_allow_ips=trusted)
    app = create_app(shared_context(pool), TokenVerifier(AuthConfig(hs256_secret=TEST_SECRET)))
    register = f"""mutation {{ registerVendor(vendorId: "{vendor_id}",
        payload: {{legalName: "Kita Co", country: "JP"}}) {{ accepted }} }}"""
    headers = {"authorization": f"Bearer {token()}", **FORWARDED}
    async with served(app, forwarded_allow_ips=settings.forwarded_allow_ips) as client:
        answer = await client.post("/graphql", json={"query": register}, headers=headers)
    assert answer.json() == {"data": {"registerVendor": {"accepted": True}}}, answer.text
    client_address: str = await pool.fetchval(
        "SELECT envelope->'recorded_by'->>'client' FROM event_store WHERE vendor_id = $1",
        vendor_id,
    )
    return client_address


async def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(
    pool: asyncpg.Pool,
) -> None:
    # Nobody trusted (the default): the socket's address, whatever the header says.
    assert await _recorded_client(pool, "fwd-none", "") == "127.0.0.1"
    # A proxy trusted, but not the address the request came from.
    assert await _recorded_client(pool, "fwd-other", "10.0.0.0/8, 192.0.2.7") == "127.0.0.1"
    # From a trusted proxy: the nearest address it was given that is not a trusted proxy's.
    assert await _recorded_client(pool, "fwd-trusted", "127.0.0.1") == "1.2.3.4"
