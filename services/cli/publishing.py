"""`vendorwatch publish`: JSON lines from a file into either mode's event log."""

from __future__ import annotations

from typing import BinaryIO

from services.cli.embedded import embedded_log
from services.platform.errors import StartupError
from services.platform.eventlog.credentials import KafkaCredentials
from services.platform.eventlog.kafka import KafkaEventLog


def read_lines(source: BinaryIO) -> list[bytes]:
    """Every non-blank line, as sent: malformed ones too, so ingest can dead-letter them."""
    lines = [line.strip() for line in source]
    events = [line for line in lines if line]
    if not events:
        raise StartupError(f"{getattr(source, 'name', 'input')}: no events in it (JSON lines)")
    return events


async def publish_to_kafka(bootstrap: str, events: list[bytes]) -> None:
    """Publishes as the producers' principal when VENDORWATCH_KAFKA_* say so."""
    log = KafkaEventLog(bootstrap, KafkaCredentials.from_env())
    await log.start()
    try:
        await log.submit(events)
    finally:
        await log.stop()


async def publish_embedded(database_url: str, events: list[bytes]) -> None:
    async with embedded_log(database_url) as (_, log):
        await log.submit(events)
