"""Alerts end to end, against either mode: a sanction on a vendor with a running contract
alerts that agency's subscribers (and not another agency's), and the alert is acknowledged
through the API and the log."""

from __future__ import annotations

import datetime as dt
import queue
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.platform.security.auth import Role
from tests.support import case_b
from tests.support.event_examples import envelope, example
from tests.support.migration_checks import publish_events
from tests.support.principals import token
from tests.support.processes import GraphQLClient, Publish, wait_until
from tests.support.subscriptions import subscribe

TOKYO = ZoneInfo("Asia/Tokyo")
# Agencies of this scenario only: other scenarios' sanctions alert their own.
WATCHING, OTHER = "警報課", "他課"
VENDOR = "vendor-alerted"
LIVE = "subscription { alerts { alertId agency vendorId change eligibleAgainOn watchlists } }"
WATCHLISTS = "{ watchlists { agency name automatic vendorIds } }"
ALERTS = "{ alerts(first: 5) { edges { node { alertId change acknowledgedBy note } } } }"
ACKNOWLEDGE = """mutation ($id: ID!) {
  acknowledgeAlert(alertId: $id, note: "Checked.", waitForProcessing: true) {
    accepted errors { field message } processing { appliedBy refusedBy } } }"""


def check_live_alerts(client: GraphQLClient, publish: Publish, work: Path) -> None:
    today = dt.datetime.now(TOKYO).date()
    contract = example(
        "contract.awarded",
        contract_id="c-alerted",
        agency=WATCHING,
        awarded_on=str(today - dt.timedelta(days=60)),
        starts_on=str(today - dt.timedelta(days=30)),
        ends_on=str(today + dt.timedelta(days=365)),
    )
    publish_events(
        publish,
        work / "alerted.jsonl",
        case_b.another_vendor(VENDOR),
        envelope("contract.awarded", contract, VENDOR),
    )
    owner = client.as_role(Role.SYSTEM_OWNER, (WATCHING,))
    try:
        automatic = {"agency": WATCHING, "name": "running contracts", "automatic": True}
        wait_until(
            lambda: owner.data(WATCHLISTS)["watchlists"] == [automatic | {"vendorIds": [VENDOR]}],
            "the contract's vendor on the agency's watchlist",
        )
        sanction = case_b.suspended(
            vendor_id=VENDOR,
            sanction_id="alerted-001",
            decided_on=str(today - dt.timedelta(days=1)),
            starts_on=str(today),
        )
        with (
            subscribe(client.url, LIVE, token=token(Role.SYSTEM_OWNER, (WATCHING,))) as mine,
            subscribe(client.url, LIVE, token=token(Role.SYSTEM_OWNER, (OTHER,))) as theirs,
        ):
            publish_events(publish, work / "alerted-sanction.jsonl", sanction)
            alert: dict[str, Any] = mine.next_payload(timeout=30)["alerts"]
            assert (alert["vendorId"], alert["agency"], alert["change"]) == (
                VENDOR,
                WATCHING,
                "BARRED",
            )
            assert alert["watchlists"] == ["running contracts"]
            with pytest.raises(queue.Empty):  # nothing for an agency not watching it
                theirs.next_payload(timeout=2)
        # Waited for: the receipt says the alerts service applied it (a second one sent before
        # it was would say refused), and the alert reads acknowledged at once.
        receipt = owner.data(ACKNOWLEDGE, id=alert["alertId"])["acknowledgeAlert"]
        assert receipt["accepted"] and receipt["errors"] == [], receipt
        assert "ALERTS" in receipt["processing"]["appliedBy"], receipt
        assert receipt["processing"]["refusedBy"] == [], receipt
        (edge,) = owner.data(ALERTS)["alerts"]["edges"]
        assert edge["node"]["acknowledgedBy"] and edge["node"]["note"] == "Checked."
    finally:
        owner.close()
