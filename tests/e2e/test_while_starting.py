"""What a process waiting at start-up shows besides /healthz and /readyz: its metrics, which
Prometheus must see while it waits (not a target down), with what it waits for; at the
console's address, a page saying the service is starting and what it waits for.

They wait for a PostgreSQL that is not there (a port nothing listens on): these answers are
the waiting process's own, whatever it waits for.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.processes import Service, free_port, wait_until

START_SECONDS = 120.0
UNREACHABLE_KAFKA = "127.0.0.1:1"
WAITING = 'vendorwatch_start_up_waiting{dependency="database"} 1.0'


def _unreachable_database() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/vendorwatch"


def _answering(base: str, service: Service) -> bool:
    assert service.process.poll() is None, service.log_tail()
    try:
        httpx.get(f"{base}/healthz", timeout=5)
    except httpx.HTTPError:
        return False
    return True


@pytest.mark.parametrize("command", ["api", "up"])
def test_a_waiting_process_serves_its_metrics_and_a_page_at_the_console(
    command: str, tmp_path: Path
) -> None:
    port = free_port()
    kafka = ["--kafka", UNREACHABLE_KAFKA] if command == "api" else []
    args = [command, *kafka, "--database-url", _unreachable_database(), "--port", str(port)]
    service = Service(command, args, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answering(base, service), "it to answer /healthz", START_SECONDS)
        metrics = httpx.get(f"{base}/metrics", timeout=5)
        assert metrics.status_code == 200, metrics.text
        assert metrics.headers["content-type"].startswith("text/plain"), metrics.headers
        assert WAITING in metrics.text.splitlines(), metrics.text
        assert "process_resident_memory_bytes" in metrics.text  # the process's own series

        page = httpx.get(f"{base}/", timeout=5)
        assert page.status_code == 503, page.text
        assert page.headers["content-type"].startswith("text/html"), page.headers
        assert page.headers["retry-after"] == "5"
        assert "<title>VendorWatch is starting</title>" in page.text
        assert "It is waiting for PostgreSQL." in page.text
        assert '<meta http-equiv="refresh" content="5">' in page.text
    except BaseException:
        print(service.log_tail())
        raise
    finally:
        code = service.stop()
    assert code == 0, code
