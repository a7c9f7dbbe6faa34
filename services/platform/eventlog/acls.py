"""The Kafka ACLs that make each topic's `writers` (deploy/kafka/topics.toml) its only writers.

Generated here and nowhere else: `vendorwatch kafka acls` prints them, one `kafka-acls --add`
argument list a line; docker-compose.yml and deploy/kubernetes/kafka-acls.yaml carry that
output, and the tests check that they still match and that a broker enforces it.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from services.platform.eventlog.topics import consumer_group, load_topics

# Reads the facts topic without a consumer group (every API replica reads every partition).
GROUPLESS_READERS = frozenset({"api"})


@dataclass(frozen=True)
class AclGrant:
    """ALLOW every principal every operation on every resource (kafka-acls' cross product)."""

    principals: tuple[str, ...]
    operations: tuple[str, ...]
    topics: tuple[str, ...]
    groups: tuple[str, ...] = ()

    def arguments(self) -> list[str]:
        arguments: list[str] = []
        for principal in self.principals:
            arguments += ["--allow-principal", f"User:{principal}"]
        for operation in self.operations:
            arguments += ["--operation", operation]
        for topic in self.topics:
            arguments += ["--topic", topic]
        for group in self.groups:
            arguments += ["--group", group]
        return arguments


def acl_grants() -> list[AclGrant]:
    """Every ACL of a deployment, from topics.toml under the current namespace. Nothing else is
    allowed: principals without an ACL on a resource are refused it (the StandardAuthorizer)."""
    topics = load_topics().values()
    grants = [AclGrant(spec.writers, ("Write",), (spec.name,)) for spec in topics]
    # Reading, one grant per reader (each is a JVM start of kafka-acls): its topics and its
    # consumer group, where it commits its offsets.
    readers = list(dict.fromkeys(reader for spec in topics for reader in spec.readers))
    grants += [
        AclGrant(
            (reader,),
            ("Read",),
            tuple(spec.name for spec in topics if reader in spec.readers),
            () if reader in GROUPLESS_READERS else (consumer_group(reader),),
        )
        for reader in readers
    ]
    # The readers are VendorWatch's own processes, and each makes sure on start that every
    # topic exists: it must see them all (Describe) and may create a missing one (Create, which
    # does not let it write).
    grants.append(
        AclGrant(tuple(readers), ("Describe", "Create"), tuple(spec.name for spec in topics))
    )
    return grants


def render(grants: list[AclGrant]) -> str:
    """One line per grant: the arguments that follow `kafka-acls ... --add`."""
    return "".join(shlex.join(grant.arguments()) + "\n" for grant in grants)
