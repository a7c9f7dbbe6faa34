"""Third-party JavaScript clients (tests/clients: the reference graphql-ws client, Apollo
Client's persisted-query link, the `ws` library) run as Node processes that print what the
client reports as JSON lines. `./scripts/test` installs them (`npm ci`); a test that needs them
fails, saying how to get them, when Node or the installed packages are missing."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

CLIENTS = Path(__file__).resolve().parents[1] / "clients"


def node_command(script: str) -> list[str]:
    """How to run one of tests/clients' scripts; fails the test (never skips) without Node or
    without the packages installed."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the client tests need Node.js 20+ (./scripts/test)")
    if not (CLIENTS / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"the Node clients are not installed: run `npm ci` in {CLIENTS}")
    return [node, str(CLIENTS / script)]


def run_node(script: str, argument: str, timeout: float = 60) -> dict[str, Any]:
    """Runs a script to its end; the JSON it printed last."""
    done = subprocess.run(
        [*node_command(script), argument], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


class NodeSubscription:
    """A graphql-ws client subscribed in a Node process (tests/clients/subscribe.mjs): what it
    reports, one event at a time, as it happens."""

    def __init__(
        self,
        graphql_url: str,
        tokens: list[str],
        query: str,
        retry_attempts: int = 0,
        **variables: Any,
    ) -> None:
        argument = {
            "url": graphql_url.replace("http://", "ws://", 1),
            "tokens": tokens,
            "query": query,
            "variables": variables,
            "retryAttempts": retry_attempts,
        }
        self._process = subprocess.Popen(
            [*node_command("subscribe.mjs"), json.dumps(argument)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._events.put(json.loads(line))
        self._events.put(None)  # the client ended

    def until(self, event: str, timeout: float = 30) -> dict[str, Any]:
        """The next event of that kind, after all reported before it (kept in `seen`)."""
        while True:
            try:
                reported = self._events.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {event} within {timeout:g}s; saw {self.seen}") from None
            if reported is None:
                assert self._process.stderr is not None
                raise AssertionError(
                    f"the client ended before {event}: {self.seen} {self._process.stderr.read()}"
                )
            self.seen.append(reported)
            if reported["event"] == event:
                return reported

    def kinds(self) -> list[str]:
        return [reported["event"] for reported in self.seen]

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
        self._process.wait(timeout=10)
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
