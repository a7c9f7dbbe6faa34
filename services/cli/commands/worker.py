"""`vendorwatch worker`: distributed mode, one service's Kafka consumers. It imports the wiring
of that service alone (`cli/workers.py`), never the API."""

from __future__ import annotations

import click

from services.cli import workers
from services.cli.listening import ensure_port_free
from services.cli.running import LOG_LEVELS, configure
from services.cli.server_options import database_url_option, kafka_option
from services.platform.errors import StartupError
from services.platform.eventlog.faust_runtime import HealthEndpoint
from services.platform.settings import Settings


@click.command()
@click.argument("service", type=click.Choice(sorted(workers.WORKERS)))
@kafka_option
@database_url_option
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
@click.option(
    "--health-port",
    type=int,
    help="Serve GET /healthz (503 once a consumer has stalled), /readyz and /metrics on this"
    " port. Default: off.",
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
        if health is not None:
            # Before faust starts: its bind of a port taken was a 65-line traceback.
            ensure_port_free(health.host, health.port, "--health-port")
        workers.run_worker(
            service,
            Settings(database_url=database_url, kafka_bootstrap=kafka),
            log_level,
            health,
            log_format,
        )
    except StartupError as error:
        raise click.ClickException(str(error)) from None
