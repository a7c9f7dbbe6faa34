"""The topic definitions from deploy/kafka/topics.toml, and creating what is missing."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from services.platform.errors import StartupError
from services.platform.eventlog.base import Writer
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka_login import unusable


@dataclass(frozen=True)
class TopicSpec:
    role: str
    name: str
    partitions: int
    writers: tuple[str, ...]
    readers: tuple[str, ...]
    config: dict[str, str] = field(default_factory=dict)


def kafka_namespace() -> str:
    """A prefix for topic names and consumer groups, so that several deployments (or test
    runs) can share one cluster without reading each other's events. Empty by default."""
    return os.environ.get("VENDORWATCH_KAFKA_NAMESPACE", "")


def namespaced(name: str) -> str:
    namespace = kafka_namespace()
    return f"{namespace}.{name}" if namespace else name


def consumer_group(service: str) -> str:
    """The consumer group of a worker service (its faust app id), which its ACLs name."""
    return namespaced(f"vendorwatch-{service}")


def load_topics() -> dict[str, TopicSpec]:
    """Topic specs by role (`raw`, `recorded`, the `emitted_*` of each emitting worker,
    `events`, `facts`); the file ships inside the package as a symlink."""
    text = (resources.files(__package__ or __name__) / "topics.toml").read_text()
    table = tomllib.loads(text)["topics"]
    return {
        role: TopicSpec(
            role,
            namespaced(spec["name"]),
            int(spec["partitions"]),
            tuple(spec["writers"]),
            tuple(spec["readers"]),
            dict(spec.get("config", {})),
        )
        for role, spec in table.items()
    }


TOPICS = load_topics()
# Each writer's way in: a topic of its own, so that a deployment can grant each its own, and
# ingest knows who wrote a record by the topic it came in by.
ENTRANCES = {
    Writer.PRODUCER: "raw",
    Writer.API: "recorded",
    Writer.REGISTRY: "emitted_registry",
    Writer.RISK: "emitted_risk",
    Writer.MIGRATION: "emitted_migration",
}


async def ensure_topics(
    bootstrap: str, replication_factor: int, credentials: KafkaCredentials
) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=10_000, **credentials.aiokafka_options()
    )
    try:
        await admin.start()
    except KafkaError as error:
        await admin.close()
        raise await unusable(bootstrap, credentials, error) from error
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in TOPICS.values() if spec.name not in existing]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        spec.name,
                        spec.partitions,
                        replication_factor,
                        topic_configs=spec.config,
                    )
                    for spec in missing
                ]
            )
            _raise_refusals(response.topic_errors)
        return [spec.name for spec in missing]
    finally:
        await admin.close()


def _raise_refusals(topic_errors: list[tuple[Any, ...]]) -> None:
    """The admin client hands back per-topic errors instead of raising them; a principal
    without CREATE (ACLs) would otherwise start as if its topics existed. A topic that another
    process created meanwhile is no refusal."""
    for topic, code, *_ in topic_errors:
        error = for_code(code)
        if code != 0 and error is not TopicAlreadyExistsError:
            raise StartupError(f"Kafka refused to create topic {topic}: {error.__name__}")
