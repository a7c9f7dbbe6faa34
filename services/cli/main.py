"""The `vendorwatch` command line.

Each subcommand's module is imported only when that subcommand runs (click's lazy group
pattern): the long-running processes need the API, Kafka and the solver, but `vendorwatch
publish` or `token create` should not pay a few seconds of imports for them."""

from __future__ import annotations

import importlib
from typing import Any

import click
from click.core import ParameterSource

from services.platform.operations.logs import LOG_FORMAT_ENV, LOG_FORMATS

# Subcommand -> "module:attribute" of its click command or group.
SUBCOMMANDS = {
    "up": "services.cli.commands.up:up",
    "worker": "services.cli.commands.worker:worker",
    "api": "services.cli.commands.api:api",
    "publish": "services.cli.commands.event_log:publish",
    "import": "services.cli.commands.import_list:import_list",
    "verify": "services.cli.commands.event_log:verify",
    "rebuild": "services.cli.commands.rebuilds:rebuild",
    "risk": "services.cli.commands.rebuilds:risk_group",
    "migration": "services.cli.commands.exports:migration_group",
    "export": "services.cli.commands.exports:export_group",
    "schemas": "services.cli.commands.exports:schemas",
    "token": "services.cli.tokens:token_group",
    "kafka": "services.cli.kafka:kafka_group",
    "alerts": "services.cli.alert_keys:alerts_group",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when asked for by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


class _ChoiceOrVariable(click.Choice[str]):
    """A choice whose refusal of a value taken from the environment names the variable with
    the option: "Invalid value for '--log-format'" sent an operator looking for an option
    that no command line of theirs had given."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as error:
            if param is not None and _from_environment(param, ctx):
                error.param_hint = f"'{param.opts[0]}' (from ${param.envvar})"
            raise


def _from_environment(param: click.Parameter, ctx: click.Context | None) -> bool:
    if ctx is None or param.name is None:
        return False
    return ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT


@click.group(cls=LazyGroup)
@click.option(
    "--log-format",
    type=_ChoiceOrVariable(LOG_FORMATS),
    default="json",
    envvar=LOG_FORMAT_ENV,
    show_default=True,
    help="Log lines as JSON objects (for a collector) or as text (for people). "
    f"Also ${LOG_FORMAT_ENV}.",
)
def cli(log_format: str) -> None:
    """VendorWatch: vendor risk and procurement sanction registry."""


def main() -> None:
    cli()
