"""Long-running processes started before PostgreSQL or Kafka wait for it instead of exiting
(an orchestrator restarted them in a loop): alive, /healthz 200 "degraded" with `waiting_for`
naming the dependency, /readyz 503 naming it, one WARNING saying what they wait for and
where; once it is there they become ready and apply events. A dependency that answers and
refuses the configuration (a wrong password, a database that does not exist, a Kafka login
turned down) is no outage: the process exits at once with one `Error:` line saying so.

The outages are real: a PostgreSQL of the test's own stopped before the processes start and
started later (postgres_outage.py), a Kafka broker of the module's own (SASL/PLAIN, so that a
wrong password can be refused) SIGKILLed before and started again on its data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import case_b
from tests.support.kafka_broker import KafkaBroker, SaslPlain, start_kafka_broker
from tests.support.kafka_classpath import DEFAULT_CACHE_DIR
from tests.support.postgres import count_now
from tests.support.postgres_outage import StoppablePostgres
from tests.support.processes import (
    Service,
    cli_publisher,
    free_port,
    run_cli,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

RETRY_MAX_SECONDS = 1.0
# Long enough for several capped waits: a process that exits on an outage has done so.
WAITING_SECONDS = 5.0
START_SECONDS = 120.0
# A refusal is said at once: a process that waited on it would run until its time-out.
REFUSED_WITHIN_SECONDS = 45.0
ADMIN, ADMIN_PASSWORD = "admin", "admin-secret"
VENDORS = 5
WAITING_LINE = "start-up waiting for"
UNREACHABLE_KAFKA = "127.0.0.1:1"


@pytest.fixture(scope="module")
def sasl_broker() -> Iterator[KafkaBroker]:
    """A broker that logs its clients in (SASL/PLAIN); the processes log in as its super
    user, which needs no ACLs."""
    with start_kafka_broker(DEFAULT_CACHE_DIR, sasl=SaslPlain({ADMIN: ADMIN_PASSWORD})) as started:
        yield started


@pytest.fixture
def logged_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every process of the test, `publish` too, logs in to `sasl_broker`."""
    for name, value in _login().items():
        monkeypatch.setenv(name, value)


def _login(password: str = ADMIN_PASSWORD) -> dict[str, str]:
    return {
        "VENDORWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "VENDORWATCH_KAFKA_SASL_MECHANISM": "PLAIN",
        "VENDORWATCH_KAFKA_USERNAME": ADMIN,
        "VENDORWATCH_KAFKA_PASSWORD": password,
    }


class Processes:
    """Ingest and registry workers and the API, each answering on a port of its own."""

    def __init__(
        self, bootstrap: str, database_url: str, log_dir: Path, env: dict[str, str] | None = None
    ) -> None:
        common = ["--kafka", bootstrap, "--database-url", database_url]
        self.ports = {name: free_port() for name in ("ingest", "registry", "api")}
        env = {"VENDORWATCH_RETRY_MAX_SECONDS": str(RETRY_MAX_SECONDS), **(env or {})}
        self.every = [
            Service(
                name,
                ["api", *common, "--port", str(port)]
                if name == "api"
                else ["worker", name, *common, "--health-port", str(port)],
                log_dir,
                env,
            )
            for name, port in self.ports.items()
        ]

    def answers(self, path: str) -> dict[str, tuple[int, dict[str, Any]]]:
        found = {}
        for name, port in self.ports.items():
            response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
            found[name] = (response.status_code, response.json())
        return found

    def answering(self) -> bool:
        self.alive()
        try:
            self.answers("/healthz")
        except httpx.HTTPError:
            return False
        return True

    def ready(self) -> bool:
        self.alive()
        try:
            return all(status == 200 for status, _ in self.answers("/readyz").values())
        except httpx.HTTPError:
            return False

    def alive(self) -> None:
        for service in self.every:
            if service.process.poll() is not None:
                raise AssertionError(
                    f"{service.name} exited ({service.process.returncode}):\n{service.log_tail()}"
                )

    def warnings(self, name: str) -> list[str]:
        """The WARNING lines a process logged that say it waits at start-up; every line it
        wrote is a JSON log line (faust's start-up spinner wrote between them)."""
        service = next(s for s in self.every if s.name == name)
        lines = [json.loads(line) for line in service.log_path.read_text().splitlines()]
        return [
            line["message"]
            for line in lines
            if line["level"] == "WARNING" and line["message"].startswith(WAITING_LINE)
        ]

    def stop(self) -> list[int]:
        """Each stopped with one SIGTERM, side by side (`stop_all` sends a second one to a
        process still stopping when its turn comes, which may find the signal handlers gone
        and end it by the signal); their exit codes."""
        with ThreadPoolExecutor(len(self.every)) as stopping:
            return list(stopping.map(Service.stop, self.every))

    def tails(self) -> str:
        return "\n".join(f"--- {service.name}\n{service.log_tail()}" for service in self.every)


@contextlib.contextmanager
def _stopped_after(processes: Processes) -> Iterator[None]:
    """The block, then every process stopped, each exiting 0; their logs' tails printed when
    the block failed."""
    try:
        yield
    except BaseException:
        print(processes.tails())
        raise
    finally:
        codes = processes.stop()
    assert codes == [0] * len(codes), codes


def _waits_for(processes: Processes, dependency: str, where: str) -> None:
    """Every process alive through several capped waits, saying it waits for `dependency`."""
    wait_until(processes.answering, "every process to answer /healthz", START_SECONDS)
    deadline = time.monotonic() + WAITING_SECONDS
    while time.monotonic() < deadline:
        for name, (status, body) in processes.answers("/healthz").items():
            assert status == 200, (name, body)
            assert body["status"] == "degraded", (name, body)
            assert dependency in body["waiting_for"], (name, body)
        for name, (status, body) in processes.answers("/readyz").items():
            assert status == 503, (name, body)
            assert dependency in body["not_ready"], (name, body)
        time.sleep(0.5)
    processes.alive()
    for name in processes.ports:
        # One line for the whole wait, however many attempts it made.
        [line] = processes.warnings(name)
        assert f"at {where}" in line, line


def _applies_events(
    processes: Processes, bootstrap: str, database_url: str, tmp_path: Path
) -> None:
    wait_until(processes.ready, "every process to be ready", START_SECONDS)
    path = tmp_path / "vendors.jsonl"
    path.write_bytes(
        b"\n".join(case_b.line(case_b.another_vendor(f"vendor-{n}")) for n in range(VENDORS))
    )
    cli_publisher("--kafka", bootstrap)(path)
    wait_until(
        lambda: count_now(database_url, "SELECT count(*) FROM registry_vendors") == VENDORS,
        "the registry to apply the vendors",
        timeout=90,
    )


def test_processes_started_before_postgresql_wait_for_it(
    server: StoppablePostgres,
    sasl_broker: KafkaBroker,
    logged_in: None,
    namespace: str,
    tmp_path: Path,
) -> None:
    database_url = asyncio.run(server.database())
    server.stop_immediately()
    bootstrap = sasl_broker.bootstrap_servers
    processes = Processes(bootstrap, database_url, tmp_path)
    with _stopped_after(processes):
        # Where it waits, without the password, and which server: its socket, in the query.
        where = database_url.replace("postgres:@", "postgres@")
        _waits_for(processes, "database", where)
        server.start()
        _applies_events(processes, bootstrap, database_url, tmp_path)


def test_a_refused_kafka_login_is_said_at_once(
    sasl_broker: KafkaBroker, database_url: str, namespace: str
) -> None:
    """Said as a refusal, not as Kafka out of reach (aiokafka's bootstrap says that of any
    failure): waited on, the worker would never start."""
    for command in (["worker", "registry"], ["api", "--port", str(free_port())]):
        started = time.monotonic()
        result = run_cli(
            *command,
            *("--kafka", sasl_broker.bootstrap_servers, "--database-url", database_url),
            timeout=REFUSED_WITHIN_SECONDS,
            env=_environment(_login("wrong")),
        )
        assert result.returncode == 1, result.stderr
        [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert f"Kafka at {sasl_broker.bootstrap_servers} refused the login of 'admin'" in error
        assert "Authentication failed" in error, error
        assert "wrong" not in result.stderr
        assert WAITING_LINE not in result.stderr
        assert time.monotonic() - started < REFUSED_WITHIN_SECONDS


def test_processes_started_before_kafka_wait_for_it(
    sasl_broker: KafkaBroker, logged_in: None, database_url: str, namespace: str, tmp_path: Path
) -> None:
    """Then, running, a Kafka outage makes /healthz "degraded" too, naming Kafka (no loop of
    theirs fails meanwhile: aiokafka rides it out inside its fetches)."""
    bootstrap = sasl_broker.bootstrap_servers
    sasl_broker.kill()
    processes = Processes(bootstrap, database_url, tmp_path)
    with _stopped_after(processes):
        _waits_for(processes, "kafka", bootstrap)
        sasl_broker.restart()
        _applies_events(processes, bootstrap, database_url, tmp_path)
        sasl_broker.kill()

        def degraded() -> bool:
            return all(
                status == 200 and "kafka" in body.get("waiting_for", [])
                for status, body in processes.answers("/healthz").values()
            )

        wait_until(degraded, "every /healthz to say it waits for Kafka", timeout=30)
        sasl_broker.restart()
        wait_until(processes.ready, "every process to be ready again", START_SECONDS)
        for name, (status, body) in processes.answers("/healthz").items():
            assert status == 200 and "waiting_for" not in body, (name, body)


def test_up_waits_for_the_postgresql_it_is_given(server: StoppablePostgres, tmp_path: Path) -> None:
    """`up --database-url`: that PostgreSQL out of reach is an outage like any (the embedded
    one, which `up` starts itself, is not)."""
    database_url = asyncio.run(server.database())
    server.stop_immediately()
    port = free_port()
    up = Service("up", ["up", "--database-url", database_url, "--port", str(port)], tmp_path)
    base = f"http://127.0.0.1:{port}"

    def answer(path: str) -> tuple[int, dict[str, Any]]:
        if up.process.poll() is not None:
            raise AssertionError(f"up exited ({up.process.returncode}):\n{up.log_tail()}")
        response = httpx.get(f"{base}{path}", timeout=5)
        return response.status_code, response.json()

    def answering() -> bool:
        try:
            answer("/healthz")
        except httpx.HTTPError:
            return False
        return True

    try:
        wait_until(answering, "up to answer /healthz", START_SECONDS)
        deadline = time.monotonic() + WAITING_SECONDS
        while time.monotonic() < deadline:
            status, body = answer("/healthz")
            assert (status, body["status"], body["waiting_for"]) == (200, "degraded", ["database"])
            status, body = answer("/readyz")
            assert (status, body["not_ready"]) == (503, ["database"]), body
            time.sleep(0.5)
        server.start()
        wait_until(lambda: answer("/readyz")[0] == 200, "up to be ready", START_SECONDS)
    except BaseException:
        print(up.log_tail())
        raise
    finally:
        code = up.stop()
    assert code == 0, code


@pytest.mark.parametrize("refusal", ["password", "database"])
def test_a_refused_postgresql_login_is_said_at_once(
    refusal: str, server: StoppablePostgres
) -> None:
    """A wrong password, a database that does not exist: each process kind says which, in
    one line, and exits 1 without waiting (the password never printed). PostgreSQL is
    waited for first: the Kafka they are given is never asked."""
    right = asyncio.run(server.login_with_password("vw_login", "right-secret", "postgres"))
    url, expected = {
        "password": (
            right.replace("right-secret", "wrong-secret"),
            'password authentication failed for user "vw_login" (InvalidPasswordError)',
        ),
        "database": (
            right.replace("/postgres", "/nothing"),
            'database "nothing" does not exist (InvalidCatalogNameError)',
        ),
    }[refusal]
    # Without the password, with the server's socket (`?host=`): which login, at which server.
    shown = url.replace(":wrong-secret", "").replace(":right-secret", "")
    for command in (
        ["worker", "registry", "--kafka", UNREACHABLE_KAFKA],
        ["api", "--kafka", UNREACHABLE_KAFKA, "--port", str(free_port())],
        ["up", "--port", str(free_port())],
    ):
        started = time.monotonic()
        result = run_cli(
            *command, "--database-url", url, timeout=REFUSED_WITHIN_SECONDS, env=_environment()
        )
        assert result.returncode == 1, result.stderr
        [error] = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert f"PostgreSQL at {shown} refused the connection: {expected}" in error, error
        assert "wrong-secret" not in result.stderr + result.stdout
        assert WAITING_LINE not in result.stderr
        assert time.monotonic() - started < REFUSED_WITHIN_SECONDS


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "VENDORWATCH_RETRY_MAX_SECONDS": str(RETRY_MAX_SECONDS), **(extra or {})}
