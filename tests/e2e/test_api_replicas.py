"""Two API processes in front of the same system (distributed mode, real Kafka and PostgreSQL)
answer alike and push alike: each replica follows the facts topic for its own subscribers, so
a change reaches subscribers on either replica, whichever replica a client asked."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import WORKERS
from tests.support import case_b
from tests.support.migration_checks import suspension_from_today
from tests.support.processes import (
    GraphQLClient,
    Publish,
    Service,
    cli_publisher,
    free_port,
    stop_all,
    wait_until,
)
from tests.support.registry_checks import ELIGIBILITY, LIVE, SEARCH, TOKYO
from tests.support.subscriptions import subscribe

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.long]

RANKING = "{ riskiestVendors(first: 5) { vendorId score band } }"


@pytest.fixture
def replicas(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> Iterator[tuple[GraphQLClient, GraphQLClient, Publish]]:
    common = ["--kafka", kafka_bootstrap, "--database-url", database_url]
    services = [Service(w, ["worker", w, *common], tmp_path) for w in WORKERS]
    clients = []
    for name in ("api-a", "api-b"):
        port = free_port()
        services.append(Service(name, ["api", *common, "--port", str(port)], tmp_path))
        clients.append(GraphQLClient(f"http://127.0.0.1:{port}/graphql"))
    try:
        for client in clients:
            wait_until(client.serving, "both APIs to answer", timeout=90)
        yield clients[0], clients[1], cli_publisher("--kafka", kafka_bootstrap)
    except BaseException:
        for service in services:
            print(f"--- {service.name}\n{service.log_tail()}")
        raise
    finally:
        for client in clients:
            client.close()
        stop_all(services)


def _publish(publish: Publish, path: Path, *events: dict[str, Any]) -> None:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n")
    publish(path)


def test_two_replicas_answer_alike_and_push_to_their_own_subscribers(
    replicas: tuple[GraphQLClient, GraphQLClient, Publish], tmp_path: Path
) -> None:
    a, b, publish = replicas
    today = dt.datetime.now(TOKYO).date()
    _publish(publish, tmp_path / "vendors.jsonl", case_b.another_vendor("vendor-live"))
    for client in (a, b):

        def found(c: GraphQLClient = client) -> bool:
            return bool(c.data(SEARCH, text="vendor-live K.K.")["vendors"])

        wait_until(found, "the vendor on both replicas")
    live = suspension_from_today("vendor-live", "live-001")
    with (
        subscribe(a.url, LIVE, ids=["vendor-live"]) as on_a,
        subscribe(b.url, LIVE, ids=["vendor-live"]) as on_b,
    ):
        _publish(publish, tmp_path / "sanction.jsonl", live)
        pushed = [s.next_payload(timeout=30)["eligibilityChanges"] for s in (on_a, on_b)]
    assert pushed[0] == pushed[1]
    assert pushed[0]["eligible"] is False
    assert [r["sanctionId"] for r in pushed[0]["reasons"]] == ["live-001"]

    questions: list[tuple[str, dict[str, Any]]] = [
        (ELIGIBILITY, {"vendor": "vendor-live", "day": today.isoformat()}),
        (SEARCH, {"text": "vendor-live K.K."}),
        (RANKING, {}),
    ]
    wait_until(lambda: bool(a.data(RANKING)["riskiestVendors"]), "the risk ranking")
    for query, variables in questions:
        assert a.execute(query, **variables) == b.execute(query, **variables), query
