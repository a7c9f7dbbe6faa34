"""Running `vendorwatch` as real processes and talking to them over HTTP."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from services.platform.security.auth import Role
from tests.support import principals

VENDORWATCH = [sys.executable, "-m", "services.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(*args: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Runs one `vendorwatch` command to completion."""
    return subprocess.run(
        [*VENDORWATCH, *args], capture_output=True, text=True, timeout=timeout, **kwargs
    )


class Publish(Protocol):
    """Publishes a file; `refused`: how many of its lines `publish` itself refuses."""

    def __call__(self, path: Path, refused: int = 0) -> None: ...


def cli_publisher(*target: str) -> Publish:
    """Publishes a JSON-lines file with `vendorwatch publish FILE *target` (e.g. `--kafka
    HOST:PORT` or `--database-url URL`), failing the test unless the command refused exactly
    `refused` lines (and so exited 1 when it refused any)."""

    def publish(path: Path, refused: int = 0) -> None:
        result = run_cli("publish", str(path), *target)
        assert result.returncode == (1 if refused else 0), result.stderr
        assert result.stdout.startswith(("stored ", "sent ")), result.stdout
        assert f"; refused {refused}" in result.stdout, result.stdout

    return publish


class Service:
    """A long-running `vendorwatch` process whose output goes to a log file."""

    def __init__(
        self, name: str, args: list[str], log_dir: Path, env: Mapping[str, str] | None = None
    ) -> None:
        """`env`: variables set for this process on top of the test's environment."""
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [*VENDORWATCH, *args],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, sig: int | None = None) -> int:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self._log.close()


def stop_all(services: Sequence[Service]) -> list[int]:
    """Stops every service, asking them all at once (each takes seconds to stop gracefully);
    their exit codes, in order."""
    for service in services:
        if service.process.poll() is None:
            service.process.terminate()
    return [service.stop() for service in services]


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Polls `check` until it holds; fails naming `what` when it never does. A check that
    fails an assertion (an answer not there yet, e.g. a vendor still unknown in another
    partition) counts as "not yet"; the last such failure is reported on time-out."""
    deadline = time.monotonic() + timeout
    last_failure: AssertionError | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except AssertionError as failure:
            last_failure = failure
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} ({last_failure})")


async def eventually(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 10) -> None:
    """The asynchronous `wait_until`, for checks that query the database."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")


class GraphQLClient:
    """GraphQL over real HTTP, signed in with a bearer token (the tests' admin by default;
    an empty token: not signed in; `timeout`: how long an answer may take, in seconds)."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.token = token if token is not None else principals.token()
        signed_in = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self._http = httpx.Client(timeout=timeout, headers=signed_in)

    def as_role(self, role: Role, agencies: tuple[str, ...] = ()) -> GraphQLClient:
        """Another client of the same API, signed in with another role."""
        return GraphQLClient(self.url, principals.token(role, agencies))

    def healthy(self) -> bool:
        """Alive (/healthz 200): waiting for a dependency included."""
        try:
            return self._http.get(self.url.replace("/graphql", "/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    def serving(self) -> bool:
        """Alive and waiting for nothing: /healthz answers 200 from the start, while the
        process still waits at start-up for its database (`waiting_for`)."""
        try:
            answer = self._http.get(self.url.replace("/graphql", "/healthz"))
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and "waiting_for" not in answer.json()

    def get(self, path: str) -> httpx.Response:
        """GET a path of the API (e.g. a plan export), signed in."""
        return self._http.get(self.url.removesuffix("/graphql") + path)

    def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        """The full response (`data` and `errors`)."""
        response = self._http.post(self.url, json={"query": query, "variables": variables})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The `data` of a query that must succeed."""
        body = self.execute(query, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def close(self) -> None:
        self._http.close()


@dataclass(frozen=True)
class System:
    """A running VendorWatch: its GraphQL endpoint, and how to publish events into its log."""

    client: GraphQLClient
    publish: Publish
    # What `vendorwatch up` printed (embedded mode only: its tokens and sign-in link).
    log_path: Path | None = None
