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
from dataclasses import dataclass, field

import click

from services.cli.registry_caught_up import WAIT_SECONDS, wait_for_registry
from services.platform.postgres import database
from services.platform.wording import plural
from services.registry.handlers import CONSUMER_NAME as REGISTRY


@dataclass
class EventLines:
    """The lines of the file that are one event: the first, which stored it or found it
    held, and the lines repeating it (counted; the first of them kept, to be named)."""

    first: int
    repeated_on: int | None = None
    repeats: int = 0

    def repeat(self, line: int) -> None:
        self.repeated_on = self.repeated_on or line
        self.repeats += 1

    def __str__(self) -> str:
        if self.repeated_on is None:
            return f"line {self.first}"
        more = f" and {self.repeats - 1} more" if self.repeats > 1 else ""
        return f"line {self.first} (repeated on line {self.repeated_on}{more})"


@dataclass
class StoredEvents:
    """The file's events the log holds, for `--wait`: each event once, with its lines, and how
    many of them the log held before the file. Kept by event, not by line: a file may repeat
    an event, whose repeat is neither stored now (its first line stored it) nor held before;
    counted as one, it made "0 stored now" of an event the file stored, and its refusal was
    said of the repeat's line alone."""

    lines: dict[uuid.UUID, EventLines] = field(default_factory=dict)
    held_before: int = 0

    def add(self, event_id: uuid.UUID, line: int, new: bool | None) -> None:
        if (seen := self.lines.get(event_id)) is not None:
            seen.repeat(line)
            return
        self.lines[event_id] = EventLines(line)
        self.held_before += new is False


@dataclass(frozen=True)
class RegistryVerdicts:
    judged: int
    refused: list[tuple[str, str]]  # (the event's lines, why), in the file's order
    unjudged: int  # still not judged when the wait ended
    held_before: int  # of the events judged or not, those the log held before the file


async def registry_verdicts(
    database_url: str, stored: StoredEvents, within: float = WAIT_SECONDS
) -> RegistryVerdicts:
    """Waits (up to `within` seconds) for the registry to judge the log, then reads its
    verdict on each stored event."""
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
            list(stored.lines),
        )
    finally:
        await conn.close()
    refused = sorted(
        (
            (stored.lines[row["event_id"]], row["reason"] or "refused")
            for row in rows
            if row["refused"]
        ),
        key=lambda refusal: refusal[0].first,
    )
    return RegistryVerdicts(
        len(rows),
        [(str(lines), why) for lines, why in refused],
        len(stored.lines) - len(rows),
        stored.held_before,
    )


def report_verdicts(verdicts: RegistryVerdicts, shown: int) -> bool:
    """Says what the registry accepted and refused (the first `shown` refusals by line, on
    stderr) of the file's events the log holds, in the terms of the line before it
    (`publishing.report`: "stored 3 of 5 events …, 1 already in it"); returns whether it
    accepted every event."""
    for lines, reason in verdicts.refused[:shown]:
        click.echo(f"{lines}: the registry refused it: {reason}", err=True)
    if len(verdicts.refused) > shown:
        click.echo(f"… and {len(verdicts.refused) - shown} more refused", err=True)
    accepted = verdicts.judged - len(verdicts.refused)
    held, already = verdicts.judged + verdicts.unjudged, verdicts.held_before
    # The events in the log, whether stored now or held already: never "4 stored" after
    # "stored 3", which counted those of this run only. Both count events, not lines.
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
