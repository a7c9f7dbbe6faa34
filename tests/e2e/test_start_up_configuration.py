"""A configuration that cannot work is said before anything starts, by the real commands: one
`Error:` line naming the variable and why, exit 1. A tester's findings: `up` said a bad
VENDORWATCH_TIMEZONE or webhook setting only once initdb had run and the sign-in link was
printed, and `api` and the workers waited on `KAFKA_BOOTSTRAP_SERVERS=host:99999` as on a
broker out of reach."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.processes import free_port, run_cli

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/nothing"
# A bound on a process that says it at once, not a measure: one that waits runs past it.
SAID_WITHIN_SECONDS = 60.0
WAITING_LINE = "start-up waiting for"

# A setting `up` reads, its value, and what its one line says.
BAD_SETTINGS = {
    "timezone": (
        {"VENDORWATCH_TIMEZONE": "Mars/Base"},
        ["VENDORWATCH_TIMEZONE: invalid timezone", "Mars/Base"],
    ),
    "webhooks not JSON": (
        {"VENDORWATCH_ALERT_WEBHOOKS": "not-json", "VENDORWATCH_ALERT_WEBHOOK_SECRET": "s"},
        ["VENDORWATCH_ALERT_WEBHOOKS: not valid JSON"],
    ),
    "webhooks without their secret": (
        {"VENDORWATCH_ALERT_WEBHOOKS": '{"a": "https://hooks.example/a"}'},
        ["VENDORWATCH_ALERT_WEBHOOK_SECRET: required when alert_webhooks are set"],
    ),
    "policy directory": (
        {"VENDORWATCH_POLICY_DIR": "/nonexistent/policies"},
        ["VENDORWATCH_POLICY_DIR", "/nonexistent/policies", "does not exist"],
    ),
    "introspection": (
        {"VENDORWATCH_GRAPHQL_INTROSPECTION": "disabled"},
        ["VENDORWATCH_GRAPHQL_INTROSPECTION: must be on or off", "'disabled'"],
    ),
    "risk model": (
        {"VENDORWATCH_RISK_MODEL": "/nonexistent/model.toml"},
        ["VENDORWATCH_RISK_MODEL", "/nonexistent/model.toml", "cannot be read"],
    ),
}


def _said_once(stderr: str, *expected: str) -> None:
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, stderr
    for part in expected:
        assert part in errors[0], errors[0]


@pytest.mark.parametrize("setting", BAD_SETTINGS)
def test_up_says_a_bad_setting_before_it_starts_postgresql(setting: str, tmp_path: Path) -> None:
    """No embedded PostgreSQL made (no data directory), nothing printed as started (no
    address, no token, no sign-in link)."""
    env, said = BAD_SETTINGS[setting]
    data_dir = tmp_path / "data"
    result = run_cli(
        "up",
        *("--data-dir", str(data_dir), "--port", str(free_port())),
        env={**os.environ, **env},
        timeout=SAID_WITHIN_SECONDS,
    )
    assert result.returncode == 1, result.stderr
    _said_once(result.stderr, *said)
    assert result.stdout == ""
    assert not data_dir.exists()
    assert list(tmp_path.iterdir()) == []  # nor anything beside it


def test_embedded_mode_ignores_the_kafka_setting_it_does_not_use(tmp_path: Path) -> None:
    """KAFKA_BOOTSTRAP_SERVERS is the distributed commands' setting: `up` is not refused for
    it (here it stops at a bad time zone, said alone)."""
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "host:99999", "VENDORWATCH_TIMEZONE": "Mars"}
    result = run_cli(
        "up", "--data-dir", str(tmp_path / "data"), "--port", str(free_port()), env=env
    )
    assert result.returncode == 1, result.stderr
    _said_once(result.stderr, "VENDORWATCH_TIMEZONE")
    assert "KAFKA_BOOTSTRAP_SERVERS" not in result.stderr


def test_the_api_reads_its_policies_before_it_waits_for_postgresql() -> None:
    """A policy directory that does not exist was said once PostgreSQL (here: out of reach,
    waited on for good) and Kafka had been waited for."""
    result = run_cli(
        *("api", "--kafka", "127.0.0.1:1", "--database-url", UNREACHABLE_DB),
        *("--port", str(free_port())),
        env={**os.environ, "VENDORWATCH_POLICY_DIR": "/nonexistent/policies"},
        timeout=SAID_WITHIN_SECONDS,
    )
    assert result.returncode == 1, result.stderr
    _said_once(result.stderr, "VENDORWATCH_POLICY_DIR", "does not exist")
    assert WAITING_LINE not in result.stderr


# Addresses no broker can answer at, and why each is refused.
BAD_BOOTSTRAPS = [
    ("127.0.0.1:99999", "has port 99999, out of range (1-65535)"),
    ("127.0.0.1:ninety", "has port 'ninety', not a number"),
    (":9092", "names no host"),
    # Waited on for good, as a broker at the host `kafka://127.0.0.1`.
    ("kafka://127.0.0.1:9092", "is a URL: write the broker as HOST:PORT ('127.0.0.1:9092')"),
]


@pytest.mark.postgres
@pytest.mark.parametrize(("bootstrap", "why"), BAD_BOOTSTRAPS)
def test_a_bootstrap_address_that_cannot_work_is_said_at_once(
    bootstrap: str, why: str, database_url: str
) -> None:
    """By `api` and a worker, whose PostgreSQL is there (they waited on Kafka for good), from
    the variable or the option; by `publish`, which showed asyncio's OverflowError."""
    named = f"KAFKA_BOOTSTRAP_SERVERS / --kafka: {bootstrap!r} {why}"
    for command in (["worker", "registry"], ["api", "--port", str(free_port())]):
        result = run_cli(
            *command,
            *("--database-url", database_url),
            env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap},
            timeout=SAID_WITHIN_SECONDS,
        )
        assert result.returncode == 1, result.stderr
        _said_once(result.stderr, named)
        assert WAITING_LINE not in result.stderr
    result = run_cli("publish", "-", "--kafka", bootstrap, input="{}\n")
    assert result.returncode == 1, result.stderr
    _said_once(result.stderr, named)


# Each importer's file, one the import would read and send (it is refused before that).
IMPORTED_FILES = {
    "worldbank": "tests/data/lists/worldbank_debarred_firms_individuals.csv",
    "ocds": "tests/data/ocds/ocds_mexico_jalisco_release_package.json",
}
# The settings an import reads, and what its one line says (BAD_SETTINGS: `up`'s).
IMPORT_SETTINGS = ["timezone", "webhooks without their secret"]


@pytest.mark.parametrize("source", IMPORTED_FILES)
@pytest.mark.parametrize("setting", IMPORT_SETTINGS)
def test_an_import_says_a_bad_setting_before_it_opens_a_database(
    source: str, setting: str, tmp_path: Path
) -> None:
    """`import` read its settings only once it had chosen and opened its database: a bad
    VENDORWATCH_TIMEZONE was said after an embedded PostgreSQL had been started for it, or
    not at all behind a database it could not reach. Said first, whichever is chosen: a
    directory (none made in it) or a URL (not asked)."""
    env, said = BAD_SETTINGS[setting]
    data_dir = tmp_path / "data"
    for database in (["--data-dir", str(data_dir)], ["--database-url", UNREACHABLE_DB]):
        result = run_cli(
            *("import", source, IMPORTED_FILES[source], *database),
            env={**os.environ, **env},
            timeout=SAID_WITHIN_SECONDS,
        )
        assert result.returncode == 1, result.stderr
        _said_once(result.stderr, *said)
        assert "PostgreSQL" not in result.stderr and "database" not in result.stderr
        assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []
