"""`vendorwatch token create`: HS256 bearer tokens for administrators and local use."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from services.cli import database_choice
from services.platform.errors import StartupError
from services.platform.security.auth import ROLE_NAMES, Role, auth_config, issue_token

# The settings that give the keys themselves (services/platform/security/auth.py: auth_config).
ENVIRONMENT_KEYS = ("VENDORWATCH_JWT_SECRET", "VENDORWATCH_JWT_PUBLIC_KEYS", "VENDORWATCH_JWKS_URL")
# The longest lifetime a token is minted with: a year. An HS256 token cannot be revoked but by
# changing the secret, and a lifetime past the calendar's end (`--hours 1e9`, `inf`) cannot
# even be dated.
MAX_HOURS = 366 * 24


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
    if not 0 < hours <= MAX_HOURS:
        # Every digit the number has (the shortest text that reads back as it): six
        # significant ones said "not 8784" of 8784.0000001.
        raise StartupError(
            "the token lifetime must be a positive number of hours "
            f"up to {MAX_HOURS} (a year), not {repr(hours).removesuffix('.0')}"
        )
    # Without keys in the environment, embedded mode's local secret of the chosen data dir.
    keyed = any(environ.get(name) for name in ENVIRONMENT_KEYS)
    config = auth_config(environ, None if keyed else database_choice.token_home(data_dir))
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


def default_subject(role: str, agencies: Sequence[str]) -> str:
    """`cli-<role>`, and the agencies named (`cli-system_owner:市民課`): two system owners of
    different agencies are two callers in the audit trail and for idempotency keys."""
    named = ",".join(agency.strip() for agency in agencies)
    return f"cli-{role}:{named}" if named else f"cli-{role}"


@click.group("token")
def token_group() -> None:
    """Bearer tokens for the GraphQL API."""


@token_group.command("create")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--agency",
    "agencies",
    multiple=True,
    help="An agency a system_owner token is limited to (repeatable; required for it). Other"
    " roles see and act for every agency: the agencies are only recorded with what they do.",
)
@click.option(
    "--subject",
    help="Who the token is for.  [default: cli-<role>, and :<agency>,… for the agencies named]",
)
@click.option(
    "--hours",
    default=12.0,
    show_default=True,
    type=float,
    help=f"Lifetime, up to {MAX_HOURS} hours (a year).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Embedded mode's data directory, which holds the local secret. "
    "Default: $VENDORWATCH_DATA_DIR, else the running `vendorwatch up`'s.",
)
def create(
    role: str, agencies: tuple[str, ...], subject: str | None, hours: float, data_dir: Path | None
) -> None:
    """Print a signed token (HS256) for `Authorization: Bearer <token>`."""
    try:
        token = create_token(
            role,
            agencies,
            subject or default_subject(role, agencies),
            hours,
            data_dir,
            environ=os.environ,
        )
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(token)
