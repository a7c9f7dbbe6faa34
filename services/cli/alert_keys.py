"""`vendorwatch alerts webhook-key`: the key an agency's webhook receiver verifies with."""

from __future__ import annotations

import os

import click

from services.alerts.signing import agency_key

SECRET_VARIABLE = "VENDORWATCH_ALERT_WEBHOOK_SECRET"


@click.group("alerts")
def alerts_group() -> None:
    """Alert webhooks."""


@alerts_group.command("webhook-key")
@click.argument("agency")
def webhook_key(agency: str) -> None:
    """Print AGENCY's webhook key: its deliveries' signatures are made with it, and only
    with it (derived from $VENDORWATCH_ALERT_WEBHOOK_SECRET; hand each agency its own)."""
    secret = os.environ.get(SECRET_VARIABLE)
    if not secret:
        raise click.ClickException(f"{SECRET_VARIABLE} is not set: it is what the keys derive from")
    if not agency.strip():
        raise click.ClickException("the agency name must not be empty")
    click.echo(agency_key(secret.encode(), agency).decode())
