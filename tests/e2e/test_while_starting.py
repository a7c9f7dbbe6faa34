"""What a process waiting at start-up shows besides /healthz and /readyz: its metrics, which
Prometheus must see while it waits (not a target down), with what it waits for; at the
console's address, a page saying the service is starting and what it waits for; and in a
text log that is not a terminal, no start-up spinner (cursor codes, backspaces, "OK ^").

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


def test_a_worker_logging_text_into_a_file_draws_no_spinner(tmp_path: Path) -> None:
    """faust's spinner is for a terminal; its end is logged ("Ready") everywhere else. Its
    /metrics says what it waits for too."""
    port = free_port()
    service = Service(
        "worker",
        [
            *("--log-format", "text", "worker", "registry", "--kafka", UNREACHABLE_KAFKA),
            *("--database-url", _unreachable_database(), "--health-port", str(port)),
        ],
        tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answering(base, service), "it to answer /healthz", START_SECONDS)
        # faust's start ends at once (the worker's own start waits in a task of it).
        wait_until(
            lambda: any(end in service.log_path.read_bytes() for end in (b"Ready", b"OK ^")),
            "faust's start to end",
            START_SECONDS,
        )
        assert WAITING in httpx.get(f"{base}/metrics", timeout=5).text.splitlines()
    finally:
        code = service.stop()
    written = service.log_path.read_bytes()
    assert code == 0, (code, written[-2000:])
    for drawn in (b"\x1b[", b"\b", b"OK ^"):
        assert drawn not in written, (drawn, written[-2000:])
    assert b"faust.worker: [^Worker]: Ready" in written
