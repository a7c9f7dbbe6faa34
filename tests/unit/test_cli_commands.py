"""The command line's subcommands, loaded by name only when asked for (cli/main.py)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from services.cli.main import SUBCOMMANDS, cli


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


def test_a_light_command_does_not_import_the_api_or_the_solver() -> None:
    """`vendorwatch token create` (and publish, import, …) start without the GraphQL API, the
    Kafka workers or the migration solver: seconds of imports a short command should not pay."""
    probe = (
        "import sys; from services.cli.main import cli; import click;"
        " cli.get_command(click.Context(cli), 'token');"
        " cli.get_command(click.Context(cli), 'publish');"
        " print(sorted(m for m in ('strawberry', 'faust', 'ortools', 'followthemoney')"
        " if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_rebuild_does_not_import_kafka_the_planner_or_the_api() -> None:
    """`vendorwatch rebuild` replays from PostgreSQL: its start-up is part of every rebuild's
    time, so it loads neither Kafka's client, the migration planner and its solver, nor the
    API, nor the embedded PostgreSQL manager (a database URL given)."""
    probe = (
        "import sys; from services.cli.main import cli; import click;"
        " cli.get_command(click.Context(cli), 'rebuild');"
        " print(sorted(m for m in ('aiokafka', 'strawberry', 'faust', 'ortools',"
        " 'services.migration.planner', 'services.platform.embedded_postgres')"
        " if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
