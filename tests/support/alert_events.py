"""The events the alert tests record, dated by the registry's today (`TODAY`): vendor B
(`VENDOR`), a contract of it running today with an agency (`contract`: `MINE` or `THEIRS`; one
awarded to start next month, `to_start`), B
suspended from yesterday (`suspended`), and a watchlist an agency saved (`saved`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.events.alerts import watchlist_key
from services.platform.settings import Settings
from tests.support import case_b
from tests.support.event_examples import envelope, example

MINE, THEIRS = "市民課", "税務課"
VENDOR = case_b.VENDOR
# The registry's today (its time zone), which its announcements are dated by.
TODAY = Settings(database_url="unused").clock.today()


def contract(agency: str) -> dict[str, Any]:
    """A contract of vendor B with `agency`, running today."""
    payload = example(
        "contract.awarded",
        contract_id=f"c-{'mine' if agency == MINE else 'theirs'}",
        agency=agency,
        awarded_on=str(TODAY - dt.timedelta(days=60)),
        starts_on=str(TODAY - dt.timedelta(days=30)),
        ends_on=str(TODAY + dt.timedelta(days=365)),
    )
    return envelope("contract.awarded", payload, VENDOR)


def to_start(agency: str) -> dict[str, Any]:
    """A contract of vendor B with `agency`, awarded two months ago, to start next month."""
    payload = example(
        "contract.awarded",
        contract_id=f"c-{'mine' if agency == MINE else 'theirs'}-to-start",
        agency=agency,
        awarded_on=str(TODAY - dt.timedelta(days=60)),
        starts_on=str(TODAY + dt.timedelta(days=30)),
        ends_on=str(TODAY + dt.timedelta(days=395)),
    )
    return envelope("contract.awarded", payload, VENDOR)


def suspended() -> dict[str, Any]:
    """B suspended from yesterday, decided the day before."""
    start = TODAY - dt.timedelta(days=1)
    return case_b.suspended(starts_on=str(start), decided_on=str(start - dt.timedelta(days=1)))


def saved(agency: str, name: str, vendor_ids: list[str]) -> dict[str, Any]:
    payload = {"agency": agency, "name": name, "vendor_ids": vendor_ids}
    return envelope("watchlist.saved", payload, watchlist_key(agency, name))
