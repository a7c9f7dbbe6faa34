"""What a vendor's partition of the consumers' topics (`events`, `facts`) received, read from
a real broker: the topics are shared with other tests, so only that vendor's records count."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition

from services.events.catalog import parse_event
from services.platform.eventlog.topics import TOPICS
from services.platform.eventstore.chain import partition_of

ROLES = ("events", "facts")  # ingest forwards to the first, the registry to the second


def _partition(role: str, vendor_id: str) -> TopicPartition:
    return TopicPartition(TOPICS[role].name, partition_of(vendor_id))


async def ends(bootstrap: str, vendor_id: str) -> dict[str, int]:
    """Per consumer topic, the end offset of the vendor's partition."""
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await probe.start()
    try:
        partitions = {role: _partition(role, vendor_id) for role in ROLES}
        offsets = await probe.end_offsets(list(partitions.values()))
        return {role: offsets[partition] for role, partition in partitions.items()}
    finally:
        await probe.stop()


async def sent_since(bootstrap: str, vendor_id: str, since: dict[str, int]) -> dict[str, list[str]]:
    """Per consumer topic, the event ids sent about the vendor since those offsets, in order."""
    now = await ends(bootstrap, vendor_id)
    sent: dict[str, list[str]] = {}
    for role in ROLES:
        sent[role] = []
        if now[role] == since[role]:
            continue  # nothing sent there (stopping a consumer that never fetched cancels)
        partition = _partition(role, vendor_id)
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            consumer.assign([partition])
            consumer.seek(partition, since[role])
            while await consumer.position(partition) < now[role]:
                for record in (await consumer.getmany(partition, timeout_ms=5_000)).get(
                    partition, []
                ):
                    if record.key == vendor_id.encode():
                        sent[role].append(str(parse_event(record.value).event_id))
        finally:
            await consumer.stop()
    return sent
