"""`vendorwatch token create`: HS256 bearer tokens for administrators and local use."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from services.platform.auth import ROLE_NAMES, Role, auth_config, issue_token
from services.platform.errors import StartupError
from services.platform.settings import default_data_dir


def create_token(
    role: str,
    agencies: Sequence[str],
    subject: str,
    hours: float,
    data_dir: Path | None,
    environ: Mapping[str, str],
) -> str:
    """A token signed with VENDORWATCH_JWT_SECRET or, failing that, embedded mode's local secret."""
    try:
        known_role = Role(role)
    except ValueError:
        raise StartupError(f"unknown role {role!r}; roles are {ROLE_NAMES}") from None
    if known_role is Role.SYSTEM_OWNER and not agencies:
        raise StartupError("a system_owner token must name at least one agency (--agency)")
    if any(not agency.strip() for agency in agencies):
        raise StartupError("an agency name must not be empty")
    if not subject.strip():
        raise StartupError("the token subject must not be empty")
    if not hours > 0:
        raise StartupError(f"the token lifetime must be a positive number of hours, not {hours}")
    config = auth_config(environ, data_dir or default_data_dir())
    if config.hs256_secret is None:
        raise StartupError(
            "tokens for RS256 deployments are issued by your identity provider; "
            "set VENDORWATCH_JWT_SECRET to issue HS256 tokens here"
        )
    return issue_token(
        config.hs256_secret,
        subject=subject,
        role=known_role,
        agencies=[agency.strip() for agency in agencies],
        ttl=dt.timedelta(hours=hours),
        issuer=config.issuer,
        audience=config.audience,
    )


@click.group("token")
def token_group() -> None:
    """Bearer tokens for the GraphQL API."""


@token_group.command("create")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--agency",
    "agencies",
    multiple=True,
    help="Restrict the token to this agency (repeatable); required for system_owner.",
)
@click.option("--subject", help="Who the token is for.  [default: cli-<role>]")
@click.option("--hours", default=12.0, show_default=True, type=float, help="Lifetime.")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Embedded mode's data directory, which holds the local secret. "
    "Default: $VENDORWATCH_DATA_DIR or the user data directory.",
)
def create(
    role: str, agencies: tuple[str, ...], subject: str | None, hours: float, data_dir: Path | None
) -> None:
    """Print a signed token (HS256) for `Authorization: Bearer <token>`."""
    try:
        token = create_token(
            role, agencies, subject or f"cli-{role}", hours, data_dir, environ=os.environ
        )
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(token)
