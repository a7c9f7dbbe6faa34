"""The options of distributed mode's long-running processes (`api`, `worker`) that name the
servers they need, each also read from its environment variable, as `--help` says: with
neither given, click's "Missing option '--kafka'" named no variable, and `--help` showed the
options as required without saying a variable would do."""

from __future__ import annotations

import click

kafka_option = click.option(
    "--kafka",
    "kafka",
    required=True,
    envvar="KAFKA_BOOTSTRAP_SERVERS",
    show_envvar=True,
    help="Kafka's bootstrap servers, HOST:PORT (several comma-separated).",
)
database_url_option = click.option(
    "--database-url",
    required=True,
    envvar="DATABASE_URL",
    show_envvar=True,
    help="The deployment's PostgreSQL (postgresql://user:password@host/database).",
)
