"""A form whose wait for the services runs out says so, in a real browser against a real
`vendorwatch up`: the sanction authority's lift, sent while the registry applies nothing (its
consumer's lock held, as a rebuild holds it), was shown as "Recorded" like one applied, when
the registry might yet refuse it (an operator's finding: the receipt's `processingTimedOut`
was not read by the console)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from selenium.webdriver.common.by import By

from services.platform.consuming.consumer_lock import lock_key
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.security.auth import Role
from tests.support import case_b, principals
from tests.support.console_browser import (
    console_chromium,
    fill_at_once,
    origin,
    shown,
    sign_in_with,
    until,
)
from tests.support.event_examples import envelope
from tests.support.migration_checks import publish_events
from tests.support.processes import System, wait_until

pytestmark = pytest.mark.postgres

VENDOR = "vendor-held"
SANCTION = "city-2022-held"


@contextlib.contextmanager
def registry_held(database_url: str) -> Iterator[None]:
    """The registry's consumer lock held for the block, as a rebuild holds it: the registry
    applies nothing meanwhile, and nothing after it in the pipeline."""
    loop = asyncio.new_event_loop()
    try:
        conn = loop.run_until_complete(asyncpg.connect(database_url))
        try:
            loop.run_until_complete(
                conn.execute("SELECT pg_advisory_lock($1)", lock_key(VERDICT_FROM))
            )
            yield
        finally:
            loop.run_until_complete(conn.close())
    finally:
        loop.close()


def sanctions_of(system: System) -> list[dict[str, str | None]]:
    query = (
        f'query {{ vendor(vendorId: "{VENDOR}")'
        " { sanctions { edges { node { liftedOn } } } } }"
    )
    vendor = system.client.data(query)["vendor"]
    return [] if vendor is None else [edge["node"] for edge in vendor["sanctions"]["edges"]]


def test_a_lift_the_registry_has_not_applied_yet_is_not_shown_as_done(
    embedded: System, database_url: str, tmp_path: Path
) -> None:
    publish_events(
        embedded.publish,
        tmp_path / "vendor.jsonl",
        envelope("vendor.registered", {"legal_name": "保留工業株式会社"}, VENDOR),
        case_b.suspended(VENDOR, SANCTION),
    )
    wait_until(lambda: len(sanctions_of(embedded)) == 1, "the suspension applied")
    with console_chromium() as chrome:
        chrome.get(f"{origin(embedded)}/")
        sign_in_with(chrome, principals.token(Role.SANCTION_AUTHORITY))
        until(chrome, lambda c: c.find_elements(By.LINK_TEXT, "Sanctions"), "the navigation")
        chrome.find_element(By.LINK_TEXT, "Sanctions").click()
        shown(chrome, "#lift-vendorId")
        fill_at_once(
            chrome,
            {
                "lift-vendorId": VENDOR,
                "lift-payload-sanctionId": SANCTION,
                "lift-payload-effectiveOn": "2022-09-01",
                "lift-payload-reason": "Appeal upheld.",
            },
        )
        with registry_held(database_url):
            chrome.find_element(By.CSS_SELECTOR, "#lift button[type=submit]").click()
            said = shown(chrome, "#lift .recorded-pending")  # after the API's 10 s wait
            assert "not applied yet by the registry" in said, said
            assert chrome.find_elements(By.CSS_SELECTOR, "#lift .accepted") == []
            assert sanctions_of(embedded)[0]["liftedOn"] is None
        wait_until(
            lambda: sanctions_of(embedded)[0]["liftedOn"] == "2022-09-01", "the lift applied"
        )
