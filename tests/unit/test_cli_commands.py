"""The command line's subcommands, loaded by name only when asked for (cli/main.py)."""

from __future__ import annotations

import ast
import datetime as dt
import pathlib
import subprocess
import sys
from collections.abc import Iterable

import click
import pytest
from click.testing import CliRunner

from services.cli.commands.exports import Day
from services.cli.main import SUBCOMMANDS, cli
from services.cli.workers import WORKERS


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_listed_subcommand_loads_under_its_own_name(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert isinstance(command, click.Command)
    assert command.name == name  # what `vendorwatch --help` lists is what runs


def test_an_unknown_subcommand_is_refused_with_the_list() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "publsh"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "No such command 'publsh'" in result.stderr


def _loaded(setup: str, modules: Iterable[str]) -> list[str]:
    """Which of `modules` a fresh interpreter has imported once it ran `setup`: what a process
    pays for at every start (ARCHITECTURE.md, "What a process imports")."""
    report = f"print(repr(sorted(m for m in {sorted(modules)!r} if m in sys.modules)))"
    probe = f"import sys\n{setup}\n{report}"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded: list[str] = ast.literal_eval(result.stdout.strip())
    return loaded


def _commands(*names: str) -> str:
    """Setup code that loads the named subcommands as `vendorwatch NAME` does."""
    return "import click\nfrom services.cli.main import cli\n" + "\n".join(
        f"cli.get_command(click.Context(cli), {name!r})" for name in names
    )


# The GraphQL API and what only it needs.
API = ("strawberry", "graphql", "services.gateway", "uvicorn")


def test_a_light_command_does_not_import_the_api_or_the_solver() -> None:
    """`vendorwatch token create` (and publish, import, …) start without the GraphQL API, the
    Kafka workers or the migration solver: seconds of imports a short command should not pay."""
    setup = _commands("token", "publish", "import")
    assert _loaded(setup, (*API, "faust", "ortools", "followthemoney")) == []


def test_publish_and_verify_do_not_import_the_lists_readers() -> None:
    """The end-to-end tests publish hundreds of times: `publish` loads the catalog and ingest's
    rules, not what `import` reads lists with (their readers, the name index and numpy)."""
    setup = _commands("publish", "verify")
    assert _loaded(setup, ("services.imports.planning", "numpy", "services.cli.importing")) == []


@pytest.mark.parametrize("service", sorted(WORKERS))
def test_a_worker_imports_its_own_service_and_not_the_api(service: str) -> None:
    """A worker started (and restarted after every crash) loads its service's wiring with
    faust, not the GraphQL API, nor strawberry, nor another service's agents, nor the solver
    (the planner imports it when it first plans)."""
    setup = (
        _commands("worker")
        + "\nfrom services.cli.workers import register"
        + "\nfrom services.platform.eventlog.faust_runtime import WorkerResources, build_app"
        + "\nfrom services.platform.settings import Settings"
        + "\nsettings = Settings(database_url='unused', kafka_bootstrap='k:9092')"
        + f"\nresources = WorkerResources(settings, {service!r})"
        + f"\nregister({service!r}, build_app({service!r}, resources), resources)"
    )
    others = {module for name, modules in WORKERS.items() if name != service for module in modules}
    assert _loaded(setup, (*API, *(others - set(WORKERS[service])), "ortools")) == []
    assert _loaded(setup, WORKERS[service]) == sorted(WORKERS[service])  # (it did load the worker)


def test_the_api_does_not_import_the_workers_or_the_embedded_postgresql() -> None:
    """`vendorwatch api` submits through Kafka's client: no faust, no worker's agents, no
    embedded PostgreSQL manager, no solver."""
    modules = (
        "faust",
        "services.ingest.agents",
        "services.platform.postgres.embedded_postgres",
        "ortools",
    )
    assert _loaded(_commands("api"), modules) == []


def test_up_does_not_import_kafka() -> None:
    """`vendorwatch up` (embedded mode) runs over PostgreSQL alone."""
    assert _loaded(_commands("up"), ("faust", "aiokafka", "ortools")) == []


def test_a_rebuild_does_not_import_kafka_the_planner_or_the_api() -> None:
    """`vendorwatch rebuild` replays from PostgreSQL: its start-up is part of every rebuild's
    time, so it loads neither Kafka's client, the migration planner and its solver, nor the
    API, nor the embedded PostgreSQL manager (a database URL given)."""
    modules = (
        "aiokafka",
        "strawberry",
        "faust",
        "ortools",
        "services.migration.planner",
        "services.platform.postgres.embedded_postgres",
    )
    assert _loaded(_commands("rebuild"), modules) == []


def test_a_webhook_key_is_printed_only_for_an_agency_the_webhooks_name() -> None:
    # Deliveries are signed with the key of the agency as the webhooks name it: a name written
    # otherwise (a trailing space) would print a key that verifies nothing.
    environment = {
        "VENDORWATCH_ALERT_WEBHOOK_SECRET": "secret",
        "VENDORWATCH_ALERT_WEBHOOKS": '{"市民課": "https://hooks.city.example/vendorwatch"}',
    }
    runner = CliRunner()
    known = runner.invoke(cli, ["alerts", "webhook-key", "市民課"], env=environment)
    assert known.exit_code == 0 and len(known.output.strip()) == 64
    other = runner.invoke(cli, ["alerts", "webhook-key", "市民課 "], env=environment)
    assert other.exit_code == 1 and "it names '市民課'" in other.output
    unset = runner.invoke(
        cli, ["alerts", "webhook-key", "市民課"], env={"VENDORWATCH_ALERT_WEBHOOK_SECRET": None}
    )
    assert unset.exit_code == 1 and "VENDORWATCH_ALERT_WEBHOOK_SECRET is not set" in unset.output
    python_quotes = runner.invoke(
        cli,
        ["alerts", "webhook-key", "市民課"],
        env={**environment, "VENDORWATCH_ALERT_WEBHOOKS": "{'市民課': 'https://x'}"},
    )
    assert python_quotes.exit_code == 1 and python_quotes.output.startswith(
        "Error: invalid setting: VENDORWATCH_ALERT_WEBHOOKS: not valid JSON ("
    )
    assert len(python_quotes.output.splitlines()) == 1


@pytest.mark.parametrize(
    ("source", "body", "said"),
    [
        (
            "worldbank",
            "北浜市",
            "--body is for jp_suspension only: a worldbank file names no bodies",
        ),
        ("jp_suspension", " ", "--body: a body's name"),
    ],
)
def test_a_body_is_named_only_for_a_list_of_bodies(
    tmp_path: pathlib.Path, source: str, body: str, said: str
) -> None:
    """`--body` says whose whole 指名停止一覧 a file is; a list that is one publisher's whole
    list has none, and a blank name is none: refused before anything is read or sent."""
    listed = tmp_path / "list.csv"
    listed.write_text("措置機関,業者名,停止期間\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", source, str(listed), "--body", body])
    assert result.exit_code == 2
    assert said in result.output


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["ocds"], "--refusals is for lists: an OCDS import prints what it refused"),
        (["worldbank", "--body", "北浜市"], "--body is for jp_suspension only"),
    ],
)
def test_a_refused_import_leaves_no_refusals_file(
    tmp_path: pathlib.Path, arguments: list[str], said: str
) -> None:
    """`--refusals FILE` was opened before the command was checked: an OCDS import refused
    for it (or a list refused for another option) left an empty FILE, read as "nothing was
    refused"."""
    listed, refusals = tmp_path / "list.json", tmp_path / "refused.csv"
    listed.write_text("{}", encoding="utf-8")
    source, *options = arguments
    command = ["import", source, str(listed), *options, "--refusals", str(refusals)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2 and said in result.output
    assert not refusals.exists()


def test_an_exports_day_is_read_as_the_api_reads_one() -> None:
    """`--as-of` took ISO dates only where the API and the export's URL take era dates too;
    a day that is neither is refused before anything is read, saying why."""
    day = Day()
    for written in ("2019-05-01", "令和元年5月1日", "R1.5.1", "平成31年5月1日"):
        assert day.convert(written, None, None) == dt.date(2019, 5, 1), written
    result = CliRunner().invoke(cli, ["export", "exclusions", "--as-of", "令和1年4月30日"])
    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.output and "平成31年4月30日" in result.output


def test_an_empty_exclusions_file_is_imported_only_when_allowed(tmp_path: pathlib.Path) -> None:
    empty = tmp_path / "barred.jsonl"
    empty.write_text("", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(cli, ["import", "exclusions", str(empty), "--dry-run"])
    assert refused.exit_code == 1 and "the file lists no vendor" in refused.output
    allowed = ["import", "exclusions", str(empty), "--dry-run", "--allow-empty"]
    assert runner.invoke(cli, allowed).exit_code == 0
    other = runner.invoke(cli, ["import", "worldbank", str(empty), "--allow-empty"])
    assert other.exit_code == 2 and "--allow-empty is for exclusions only" in other.output


@pytest.mark.parametrize("fmt", ["csv", "svg"])
def test_a_plan_export_refuses_a_file_it_could_not_write_before_reading_the_plan(
    tmp_path: pathlib.Path, fmt: str
) -> None:
    """An `--output` in no directory was written after the plan was read, as a
    FileNotFoundError traceback; it is refused first, naming the path and why (the database
    named here is never reached)."""
    nowhere = tmp_path / "nonexistent" / f"plan.{fmt}"
    result = CliRunner().invoke(
        cli,
        ["migration", "export", "PLAN", "--format", fmt, "--output", str(nowhere)],
        env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"},
    )
    assert result.exit_code == 2, result.output
    said = f"'--output': '{nowhere}': its directory '{nowhere.parent}' does not exist"
    assert said in result.output


@pytest.mark.parametrize("command", [["api"], ["worker", "ingest"]])
def test_the_servers_options_name_their_environment_variables(command: list[str]) -> None:
    """`--help` showed --kafka and --database-url as required, and their absence was said as
    "Missing option '--kafka'", never naming the variables that would do (a tester's
    finding)."""
    runner = CliRunner()
    shown = runner.invoke(cli, [*command, "--help"], terminal_width=200)
    assert shown.exit_code == 0
    assert "[env var: KAFKA_BOOTSTRAP_SERVERS; required]" in shown.output
    assert "[env var: DATABASE_URL; required]" in shown.output
    unset = {"KAFKA_BOOTSTRAP_SERVERS": None, "DATABASE_URL": None}
    missing = runner.invoke(cli, command, env=unset)
    assert missing.exit_code == 2
    assert "Missing option '--kafka' (env var: 'KAFKA_BOOTSTRAP_SERVERS')" in missing.output


@pytest.mark.parametrize(
    "command", [["publish"], ["verify"], ["rebuild", "all"], ["export", "exclusions"], ["import"]]
)
def test_every_command_choosing_its_database_names_database_url(command: list[str]) -> None:
    """`--database-url` read DATABASE_URL on every one-off command, but only the servers'
    `--help` said so (an operator's finding)."""
    shown = CliRunner().invoke(cli, [*command, "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "[env var: DATABASE_URL]" in shown.output


def test_publish_says_kafka_bootstrap_servers_chose_kafka_when_it_did() -> None:
    """`publish --help` did not show that --kafka reads the variable, and with it exported
    `publish --wait` was refused for the distributed mode, the user having typed no
    --kafka (a tester's finding)."""
    runner = CliRunner()
    shown = runner.invoke(cli, ["publish", "--help"], terminal_width=200)
    assert "[env var: KAFKA_BOOTSTRAP_SERVERS]" in shown.output
    exported = runner.invoke(
        cli, ["publish", "-", "--wait"], env={"KAFKA_BOOTSTRAP_SERVERS": "kafka:9092"}, input=""
    )
    assert exported.exit_code == 2, exported.output
    said = " ".join(exported.output.split())
    assert "KAFKA_BOOTSTRAP_SERVERS, set in the environment, sends to Kafka" in said
    assert "unset it to publish into the embedded mode's database" in said
    typed = runner.invoke(
        cli, ["publish", "-", "--wait", "--kafka", "kafka:9092"], env=UNSET_KAFKA, input=""
    )
    assert typed.exit_code == 2, typed.output
    said = " ".join(typed.output.split())
    assert "--kafka sends to Kafka" in said and "KAFKA_BOOTSTRAP_SERVERS" not in said


UNSET_KAFKA: dict[str, str | None] = {"KAFKA_BOOTSTRAP_SERVERS": None}


def test_a_workers_health_port_says_all_it_serves() -> None:
    shown = CliRunner().invoke(cli, ["worker", "ingest", "--help"], terminal_width=200)
    assert "Serve GET /healthz (503 once a consumer has stalled), /readyz and /metrics" in (
        " ".join(shown.output.split())
    )
