"""`vendorwatch alerts webhook-key`: the key an agency's webhook receiver verifies with."""

from __future__ import annotations

import json
import os

import click

from services.alerts.signing import agency_key

SECRET_VARIABLE = "VENDORWATCH_ALERT_WEBHOOK_SECRET"
WEBHOOKS_VARIABLE = "VENDORWATCH_ALERT_WEBHOOKS"


@click.group("alerts")
def alerts_group() -> None:
    """Alert webhooks."""


@alerts_group.command("webhook-key")
@click.argument("agency")
def webhook_key(agency: str) -> None:
    """Print AGENCY's webhook key: its deliveries' signatures are made with it, and only
    with it (derived from $VENDORWATCH_ALERT_WEBHOOK_SECRET; hand each agency its own). AGENCY
    is named exactly as $VENDORWATCH_ALERT_WEBHOOKS names it."""
    secret = os.environ.get(SECRET_VARIABLE)
    if not secret:
        raise click.ClickException(f"{SECRET_VARIABLE} is not set: it is what the keys derive from")
    # Deliveries are signed with the key of the agency exactly as the webhooks name it: a name
    # written otherwise would print a key no delivery uses.
    try:
        webhooks = json.loads(os.environ.get(WEBHOOKS_VARIABLE) or "{}")
    except json.JSONDecodeError as error:
        raise click.ClickException(f"{WEBHOOKS_VARIABLE}: not JSON ({error})") from None
    if not isinstance(webhooks, dict) or agency not in webhooks:
        named = ", ".join(repr(name) for name in webhooks) if isinstance(webhooks, dict) else ""
        raise click.ClickException(
            f"{agency!r} has no webhook in {WEBHOOKS_VARIABLE}"
            + (f"; it names {named}" if named else " (set it as the deployment does)")
        )
    click.echo(agency_key(secret.encode(), agency).decode())
