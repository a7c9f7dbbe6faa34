"""`vendorwatch up`: embedded mode, every service and the API in one process."""

from __future__ import annotations

import os
from pathlib import Path

import click

from services.cli import embedded, instances
from services.cli.database_choice import url_chosen
from services.cli.listening import ensure_port_free
from services.cli.running import LOG_LEVELS, configure, run
from services.console import sign_in
from services.platform.security.auth import Role, auth_config, issue_token
from services.platform.settings import Settings, default_data_dir
from services.registry import setup as registry
from services.risk import setup as risk_setup


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Embedded PostgreSQL data directory (kept across runs; not with --database-url;"
    " given, it wins over $DATABASE_URL). "
    "Default: $VENDORWATCH_DATA_DIR or the user data directory.",
)
@click.option(
    "--database-url",
    envvar="DATABASE_URL",
    show_envvar=True,
    help="Use this PostgreSQL instead of an embedded one.",
)
@click.option("--log-level", type=LOG_LEVELS, default="info", show_default=True)
def up(
    host: str, port: int, data_dir: Path | None, database_url: str | None, log_level: str
) -> None:
    """Embedded mode: all services and the GraphQL API in one process."""
    # --data-dir given wins over DATABASE_URL, as for every other command; both given is a
    # usage error, said before anything starts.
    database_url = url_chosen(database_url, data_dir)
    configure(log_level)

    async def main() -> None:
        # Every setting, policy and the risk model checked before anything starts: a bad one
        # was said after initdb had run and the sign-in link was printed. The database is
        # not known yet (the embedded one's URL is its start's); embedded mode has no Kafka,
        # whatever KAFKA_BOOTSTRAP_SERVERS holds for the other commands.
        checked = Settings(database_url=database_url or "", kafka_bootstrap=None)
        policies, risk = registry.policies(checked), risk_setup.service(checked)
        ensure_port_free(host, port)  # before a token is printed for a server that cannot start
        home = (data_dir or default_data_dir()).expanduser().resolve()
        auth = auth_config(os.environ, home)
        origin = f"http://{host}:{port}"
        graphql = f"{origin}/graphql"
        async with embedded.database(database_url, home) as (url, stopping):
            # Where it runs, for the other commands (database_choice.py), while it runs.
            here = instances.Instance(os.getpid(), url, home, database_url is None, graphql)
            with instances.recorded(here):
                click.echo(f"VendorWatch GraphQL at {graphql}")
                if auth.hs256_secret is not None:
                    token = issue_token(auth.hs256_secret, subject="local-admin", role=Role.ADMIN)
                    click.echo(
                        f"Local admin token (12 h; more: vendorwatch token create):\n{token}"
                    )
                    link = issue_token(
                        auth.hs256_secret,
                        subject="local-admin",
                        role=Role.ADMIN,
                        ttl=sign_in.LINK_LIFETIME,
                    )
                    click.echo(
                        "Console for the local admin (this link signs in for an hour):\n"
                        + sign_in.sign_in_link(origin, link)
                    )
                await embedded.run_up(
                    checked.over(url),
                    policies,
                    risk,
                    auth,
                    host,
                    port,
                    external=bool(database_url),
                    on_stop=stopping,
                )

    run(main(), serving=True)
