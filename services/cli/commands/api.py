"""`vendorwatch api`: distributed mode's GraphQL API, submitting into Kafka."""

from __future__ import annotations

import os

import click

from services.cli import distributed
from services.cli.running import LOG_LEVELS, configure, run
from services.cli.server_options import database_url_option, kafka_option
from services.platform.security.auth import auth_config
from services.platform.settings import Settings


@click.command()
@kafka_option
@database_url_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
def api(kafka: str, database_url: str, host: str, port: int, log_level: str) -> None:
    """Distributed mode: the GraphQL API, submitting into Kafka."""
    configure(log_level)

    async def main() -> None:
        # Inside _run: a bad VENDORWATCH_KAFKA_* setting is one line, not a traceback.
        settings = Settings(database_url=database_url, kafka_bootstrap=kafka)
        await distributed.run_api(settings, auth_config(os.environ, None), host, port)

    run(main(), serving=True)
