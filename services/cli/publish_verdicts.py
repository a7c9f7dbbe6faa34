"""`vendorwatch publish --wait`: the registry's verdicts on the events published.

Ingest's verdict is the log's: stored, or refused before storing. The registry judges what
was stored as it applies it, asynchronously (`vendorwatch up`'s consumer, in its own time), and
may still refuse it (a suspension of a vendor never registered): so publish says "stored",
and, asked to wait, waits for the registry to judge the log as it stands after publishing (as
an import waits before reading, registry_caught_up.py) and reports its refusals by line.
Embedded mode only: in Kafka mode the events reach the log only when an ingest worker stores
them, and the registry's progress is its consumer group's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import click

from services.cli.registry_caught_up import WAIT_SECONDS, wait_for_registry
from services.platform.postgres import database
from services.platform.wording import plural
from services.registry.handlers import CONSUMER_NAME as REGISTRY


@dataclass(frozen=True)
class RegistryVerdicts:
    judged: int
    refused: dict[int, str]  # line → why
    unjudged: int  # still not judged when the wait ended


async def registry_verdicts(
    database_url: str, stored: Mapping[uuid.UUID, int], within: float = WAIT_SECONDS
) -> RegistryVerdicts:
    """Waits (up to `within` seconds) for the registry to judge the log, then reads its
    verdict on each stored event (event id → its line)."""
    await wait_for_registry(database_url, lambda _: None, within)
    conn = await database.connect(database_url)
    try:
        rows = await conn.fetch(
            """SELECT p.event_id, p.refused,
                      (SELECT d.reason FROM dead_letters d
                       WHERE d.event_id = p.event_id AND d.stage = $1
                       ORDER BY d.id LIMIT 1) AS reason
               FROM processed_events p
               WHERE p.consumer = $1 AND p.event_id = ANY($2::uuid[])""",
            REGISTRY,
            list(stored),
        )
    finally:
        await conn.close()
    refused = {
        stored[row["event_id"]]: row["reason"] or "refused" for row in rows if row["refused"]
    }
    return RegistryVerdicts(len(rows), dict(sorted(refused.items())), len(stored) - len(rows))


def report_verdicts(verdicts: RegistryVerdicts, shown: int, already: int = 0) -> bool:
    """Says what the registry accepted and refused (the first `shown` refusals by line, on
    stderr) of the file's events the log holds, `already` of them held before the file was
    published, in the terms of the line before it (`publishing.report`: "stored 3 of 5
    events …, 1 already in it"); returns whether it accepted every event."""
    for number, reason in list(verdicts.refused.items())[:shown]:
        click.echo(f"line {number}: the registry refused it: {reason}", err=True)
    if len(verdicts.refused) > shown:
        click.echo(f"… and {len(verdicts.refused) - shown} more refused", err=True)
    accepted = verdicts.judged - len(verdicts.refused)
    held = verdicts.judged + verdicts.unjudged
    # The events in the log, whether stored now or held already: never "4 stored" after
    # "stored 3", which counted those of this run only.
    how = f" ({held - already} stored now, {already} already in it)" if already else ""
    said = (
        f"the registry accepted {accepted} of the {plural(held, 'event')} in the log{how};"
        f" refused {len(verdicts.refused)}"
    )
    if verdicts.unjudged:
        said += (
            f"; {verdicts.unjudged} not judged after {WAIT_SECONDS:.0f} s"
            " (is `vendorwatch up` running on this database?)"
        )
    click.echo(said)
    return not verdicts.refused and not verdicts.unjudged
