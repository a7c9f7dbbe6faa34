"""Operator mistakes get one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from services.platform.postgres.database import redacted
from tests.support.processes import free_port, run_cli

UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/nothing"


def _one_clear_line(stderr: str, *expected: str) -> None:
    assert "Traceback" not in stderr
    error_lines = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, stderr
    for part in expected:
        assert part in error_lines[0], stderr


def test_port_in_use(tmp_path: Path) -> None:
    """Said before anything starts: no token printed for a server that will not run, no
    embedded PostgreSQL started for it."""
    data_dir = tmp_path / "data"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for database in (["--database-url", UNREACHABLE_DB], ["--data-dir", str(data_dir)]):
            result = run_cli("up", *database, "--port", str(port))
            assert result.returncode != 0
            _one_clear_line(result.stderr, f"port {port}", "already in use")
            assert result.stdout == ""
    assert not data_dir.exists()


def test_a_workers_health_port_in_use() -> None:
    """As the API says it, naming the worker's option: faust's bind of the port taken was
    a 65-line traceback ending in OSError 98."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli(
            "worker", "ingest", "--kafka", "127.0.0.1:1", "--database-url", UNREACHABLE_DB,
            "--health-port", str(port), timeout=30,
        )  # fmt: skip
    assert result.returncode == 1, result.stderr
    _one_clear_line(
        result.stderr,
        f"port {port} on 127.0.0.1 is already in use",
        "choose another with --health-port",
    )


def test_a_password_in_the_database_url_is_never_printed() -> None:
    """Neither as the URL's user info nor as libpq's `password=` parameter."""
    for url in (
        "postgresql://nobody:hunter2@127.0.0.1:1/nothing",
        f"{UNREACHABLE_DB}?password=hunter2&sslmode=disable",
    ):
        result = run_cli("verify", "--database-url", url)
        assert result.returncode != 0
        _one_clear_line(result.stderr, "cannot reach PostgreSQL at postgresql://nobody@127.0.0.1:1")
        assert "hunter2" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "command", [["verify"], ["export", "exclusions"], ["migration", "export", "plan-1"], ["up"]]
)
def test_database_url_and_data_dir_together_is_a_usage_error(
    command: list[str], tmp_path: Path
) -> None:
    """Both on the command line: one was ignored in silence (the URL; by `up`, the
    directory). Said before either is opened, naming the two options."""
    data_dir = tmp_path / "data"
    result = run_cli(*command, "--database-url", UNREACHABLE_DB, "--data-dir", str(data_dir))
    assert result.returncode == 2, result.stderr
    _one_clear_line(result.stderr, "--database-url and --data-dir", "not both")
    assert "cannot reach" not in result.stderr and result.stdout == ""
    assert not data_dir.exists()


def test_a_data_dir_given_wins_over_database_url_in_the_environment(tmp_path: Path) -> None:
    """DATABASE_URL is the option's default, not a choice made on this command line: the
    directory given is the database worked on (here: none in it, said), not an error."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "DATABASE_URL": UNREACHABLE_DB}
    result = run_cli("verify", "--data-dir", str(data_dir), env=env)
    assert result.returncode == 3, result.stderr
    _one_clear_line(result.stderr, f"no VendorWatch database in {data_dir}")
    assert "cannot reach" not in result.stderr
    # Without --data-dir, DATABASE_URL is the database, as before.
    result = run_cli("verify", env=env)
    assert result.returncode == 3, result.stderr
    _one_clear_line(result.stderr, "cannot reach PostgreSQL at postgresql://nobody@127.0.0.1:1")


def test_publish_to_unreachable_kafka(tmp_path: Path) -> None:
    events = tmp_path / "one.jsonl"
    events.write_text("{}\n")
    result = run_cli("publish", str(events), "--kafka", "127.0.0.1:1")
    assert result.returncode != 0
    _one_clear_line(result.stderr, "cannot reach Kafka at 127.0.0.1:1")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_publish_missing_file(tmp_path: Path) -> None:
    result = run_cli("publish", str(tmp_path / "nope.jsonl"), "--database-url", UNREACHABLE_DB)
    assert result.returncode != 0
    _one_clear_line(result.stderr, "nope.jsonl", "No such file")


def test_publish_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    result = run_cli("publish", str(empty), "--database-url", UNREACHABLE_DB)
    assert result.returncode != 0
    _one_clear_line(result.stderr, "empty.jsonl", "no events")


# URLs asyncpg cannot read, each with why: said before any connection is tried.
MALFORMED_URLS = [
    ("postgresql://nobody:hunter2@/nothing?host=/nowhere&sslmode=bogus", "`sslmode` parameter"),
    ("mysql://nobody:hunter2@127.0.0.1/nothing", "scheme is expected to be"),
    ("postgresql://nobody:hunter2@127.0.0.1:notaport/nothing", "'notaport'"),
]
# Every kind of command, the serving ones too: each opens its database first.
COMMANDS = {
    "api": ["api", "--kafka", "127.0.0.1:1"],
    "up": ["up"],
    "worker": ["worker", "registry", "--kafka", "127.0.0.1:1"],
    "publish": ["publish", "EVENTS"],
    "import": ["import", "worldbank", "EVENTS"],
    "rebuild": ["rebuild", "all"],
    "export": ["export", "exclusions"],
    "verify": ["verify"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_malformed_database_url_is_said_at_once(command: str, tmp_path: Path) -> None:
    """Not waited on as an outage (a serving command retried an unknown `sslmode` for ever),
    nor a traceback: one line naming the setting, the URL without its password, and why."""
    events = tmp_path / "events.jsonl"
    events.write_text("{}\n")
    args = [str(events) if arg == "EVENTS" else arg for arg in COMMANDS[command]]
    if command in ("api", "up"):
        args += ["--port", str(free_port())]
    for url, why in MALFORMED_URLS:
        result = run_cli(*args, "--database-url", url, timeout=30)
        # verify's own code for "no verdict" (3), 1 for the others.
        assert result.returncode == (3 if command == "verify" else 1), result.stderr
        shown = redacted(url)
        _one_clear_line(result.stderr, "DATABASE_URL / --database-url", shown, why)
        assert "hunter2" not in result.stderr + result.stdout


@pytest.mark.postgres
def test_an_option_postgresql_does_not_know_is_a_refusal(database_url: str) -> None:
    """asyncpg passes a query option it does not know to PostgreSQL as a setting, which
    PostgreSQL refuses: said as its refusal, not "cannot reach"."""
    url = f"{database_url}{'&' if '?' in database_url else '?'}bogus_option=1"
    result = run_cli("publish", "-", "--database-url", url, input="{}\n")
    assert result.returncode == 1, result.stderr
    _one_clear_line(
        result.stderr,
        'refused the connection: unrecognized configuration parameter "bogus_option"',
        "DATABASE_URL / --database-url",
    )
    assert "cannot reach" not in result.stderr


def test_a_log_format_from_the_environment_names_its_variable() -> None:
    """`VENDORWATCH_LOG_FORMAT=xml` was refused as "Invalid value for '--log-format'", an
    option no command line had given: the variable is named with it."""
    env = {**os.environ, "VENDORWATCH_LOG_FORMAT": "xml"}
    result = run_cli("verify", "--database-url", UNREACHABLE_DB, env=env)
    assert result.returncode == 2, result.stderr
    _one_clear_line(result.stderr, "'--log-format' (from $VENDORWATCH_LOG_FORMAT)", "'xml'")


def test_a_longest_retry_below_the_first_is_refused(tmp_path: Path) -> None:
    """Accepted in silence, it capped every wait at the maximum. Said before anything starts,
    naming both variables."""
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "VENDORWATCH_RETRY_FIRST_SECONDS": "10",
        "VENDORWATCH_RETRY_MAX_SECONDS": "0.1",
    }
    result = run_cli("up", "--data-dir", str(data_dir), "--port", str(free_port()), env=env)
    assert result.returncode == 1, result.stderr
    _one_clear_line(
        result.stderr, "VENDORWATCH_RETRY_MAX_SECONDS: 0.1", "VENDORWATCH_RETRY_FIRST_SECONDS (10)"
    )
    assert not data_dir.exists()
