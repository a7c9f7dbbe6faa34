"""`vendorwatch worker`: distributed mode, one service's Kafka consumers. It imports the wiring
of that service alone (`cli/workers.py`), never the API."""

from __future__ import annotations

import click

from services.cli import workers
from services.cli.running import LOG_LEVELS, configure
from services.platform.errors import StartupError
from services.platform.eventlog.faust_runtime import HealthEndpoint
from services.platform.settings import Settings


@click.command()
@click.argument("service", type=click.Choice(sorted(workers.WORKERS)))
@click.option("--kafka", "kafka", required=True, envvar="KAFKA_BOOTSTRAP_SERVERS")
@click.option("--database-url", required=True, envvar="DATABASE_URL")
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
@click.option(
    "--health-port",
    type=int,
    help="Serve GET /healthz on this port (503 once a consumer has stalled). Default: off.",
)
@click.option("--health-host", default="127.0.0.1", show_default=True)
def worker(
    service: str,
    kafka: str,
    database_url: str,
    log_level: str,
    health_port: int | None,
    health_host: str,
) -> None:
    """Distributed mode: run one service's Kafka consumers."""
    log_format = configure(log_level)
    health = HealthEndpoint(health_host, health_port) if health_port is not None else None
    try:
        workers.run_worker(
            service,
            Settings(database_url=database_url, kafka_bootstrap=kafka),
            log_level,
            health,
            log_format,
        )
    except StartupError as error:
        raise click.ClickException(str(error)) from None
