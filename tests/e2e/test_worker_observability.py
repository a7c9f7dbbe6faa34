"""A distributed worker's /readyz and /metrics (beside its /healthz), as a real process on a
real Kafka: ready once it reaches PostgreSQL and Kafka and has caught up, its metrics in the
Prometheus text format with its Kafka lag per partition, its applied events moving and the
chain's latest verification its /healthz gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import case_b
from tests.support.processes import Service, cli_publisher, free_port, stop_all, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def _samples(url: str, name: str) -> dict[frozenset[tuple[str, str]], float]:
    response = httpx.get(url, timeout=5)
    assert response.status_code == 200
    return {
        frozenset(sample.labels.items()): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.name == name
    }


def test_a_worker_serves_readiness_and_metrics(
    kafka_bootstrap: str, database_url: str, namespace: str, tmp_path: Path
) -> None:
    common = ["--kafka", kafka_bootstrap, "--database-url", database_url]
    port = free_port()
    workers = [
        Service("ingest", ["worker", "ingest", *common], tmp_path),
        Service(
            "registry",
            ["worker", "registry", *common, "--health-port", str(port)],
            tmp_path,
        ),
    ]
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, f"the registry worker's /readyz\n{workers[1].log_tail()}", timeout=120)
        body = httpx.get(f"{base}/readyz", timeout=5).json()
        assert set(body["checks"]) == {"database", "migrations", "kafka", "consumer registry"}
        assert body["checks"]["kafka"] == {"ready": True, "detail": "reachable"}

        path = tmp_path / "vendors.jsonl"
        path.write_bytes(
            b"\n".join(case_b.line(case_b.another_vendor(f"vendor-{n:03d}")) for n in range(30))
        )
        cli_publisher("--kafka", kafka_bootstrap)(path)

        def all_applied() -> bool:
            applied = _samples(f"{base}/metrics", "vendorwatch_events_applied_total")
            return sum(applied.values()) == 30

        wait_until(all_applied, "the registry worker to count 30 applied events", timeout=90)
        delays = _samples(f"{base}/metrics", "vendorwatch_appended_to_applied_seconds_count")
        assert sum(delays.values()) == 30
        lags = _samples(f"{base}/metrics", "vendorwatch_consumer_lag_events")
        topics = {dict(labels)["topic"] for labels in lags}
        # The registry's worker also reads the registry's facts (for the alerts' consumer).
        assert topics == {f"{namespace}.vendorwatch.events", f"{namespace}.vendorwatch.facts"}
        assert {dict(labels)["consumer"] for labels in lags} == {"registry"}
        wait_until(
            lambda: (
                sum(_samples(f"{base}/metrics", "vendorwatch_consumer_lag_events").values()) == 0
            ),
            "the registry's lag to drop to 0 once its offsets are committed",
            timeout=30,
        )

        # The chain's latest verification, as its /healthz gives it: the gauges were
        # exported at 0 (never checked) on every worker, true only on the API's /metrics.
        def checked() -> bool:
            return "checked_at" in httpx.get(f"{base}/healthz", timeout=5).json()["chain"]

        wait_until(checked, "the registry worker's chain check", timeout=60)
        chain = httpx.get(f"{base}/healthz", timeout=5).json()["chain"]
        at = dt.datetime.fromisoformat(chain["checked_at"]).timestamp()
        assert _samples(f"{base}/metrics", "vendorwatch_chain_checked_timestamp_seconds") == {
            frozenset(): at
        }
        assert _samples(f"{base}/metrics", "vendorwatch_chain_problems") == {frozenset(): 0}
    finally:
        stop_all(workers)
