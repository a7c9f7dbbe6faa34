"""`vendorwatch alerts webhook-key`: the key an agency's webhook receiver verifies with."""

from __future__ import annotations

import click

from services.alerts.signing import agency_key
from services.platform.errors import StartupError
from services.platform.settings import Settings


@click.group("alerts")
def alerts_group() -> None:
    """Alert webhooks."""


@alerts_group.command("webhook-key")
@click.argument("agency")
def webhook_key(agency: str) -> None:
    """Print AGENCY's webhook key: its deliveries' signatures are made with it, and only
    with it (derived from $VENDORWATCH_ALERT_WEBHOOK_SECRET; hand each agency its own). AGENCY
    is named exactly as $VENDORWATCH_ALERT_WEBHOOKS names it."""
    try:  # read as the deployment reads them
        settings = Settings(database_url="")
    except StartupError as error:
        raise click.ClickException(str(error)) from None
    if settings.alert_webhook_secret is None:
        raise click.ClickException(
            "VENDORWATCH_ALERT_WEBHOOK_SECRET is not set: it is what the keys derive from"
        )
    # Deliveries are signed with the key of the agency exactly as the webhooks name it: a name
    # written otherwise would print a key no delivery uses.
    if agency not in settings.alert_webhooks:
        named = ", ".join(repr(name) for name in settings.alert_webhooks)
        raise click.ClickException(
            f"{agency!r} has no webhook in VENDORWATCH_ALERT_WEBHOOKS"
            + (f"; it names {named}" if named else " (set it as the deployment does)")
        )
    secret = settings.alert_webhook_secret.get_secret_value().encode()
    click.echo(agency_key(secret, agency).decode())
