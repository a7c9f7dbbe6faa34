"""`vendorwatch kafka acls`: the ACLs a deployment applies, from deploy/kafka/topics.toml."""

from __future__ import annotations

import click

from services.platform.eventlog.acls import acl_grants, render


@click.group("kafka")
def kafka_group() -> None:
    """Kafka: what the broker must enforce in distributed mode."""


@kafka_group.command("acls")
def acls() -> None:
    """Print the ACLs that let each principal write only its own topics (and read what it
    consumes), one `kafka-acls --add` argument list a line. Apply them as a super user:

    \b
      vendorwatch kafka acls | while read -r acl; do
        kafka-acls.sh --bootstrap-server HOST:PORT --command-config admin.properties --add $acl
      done

    Topic and group names follow VENDORWATCH_KAFKA_NAMESPACE.
    """
    click.echo(render(acl_grants()), nl=False)
