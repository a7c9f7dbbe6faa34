"""What only distributed mode has: a worker's own liveness endpoint (the scenarios of both
modes are in test_scenarios.py)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.processes import (
    Service,
    free_port,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def test_worker_serves_its_liveness(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    health_port = free_port()
    worker = Service(
        "registry-health",
        [
            "worker",
            "registry",
            "--kafka",
            kafka_bootstrap,
            "--database-url",
            database_url,
            "--health-port",
            str(health_port),
        ],
        tmp_path,
    )
    url = f"http://127.0.0.1:{health_port}/healthz"

    def started() -> bool:
        # /healthz answers from the start, "degraded" while the worker waits for PostgreSQL
        # and Kafka (its first attempts included): its loops are there once it has them.
        try:
            answer = httpx.get(url, timeout=2)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and "waiting_for" not in answer.json()

    try:
        wait_until(started, f"the worker's /healthz\n{worker.log_tail()}", timeout=90)
        body = httpx.get(url, timeout=2).json()
        assert body["status"] == "ok"
        assert body["chain"]["status"] in {"not checked yet", "intact"}
        # The registry's consumer, and the alerts' (run in the registry's worker).
        assert [c["consumer"] for c in body["consumers"]] == [
            f"{namespace}.vendorwatch-registry.events",
            f"{namespace}.vendorwatch-registry.facts",
        ]
    finally:
        worker.stop()
