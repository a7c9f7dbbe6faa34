"""An import reads the registry only once the registry has judged what the log holds.

An import plans against the registry's records: what earlier imports of the list recorded
(to amend and lift) and every vendor it holds (to join an entry to). Run straight after
another import, it read a registry that had not applied the first one's events yet: it
imposed again what was on its way (the log took it once, but the report counted it and kept
the count), lifted nothing the first had imposed, and registered anew the vendors the first
had made, where a second list joins them by name. So, in embedded mode, an import first waits
for the registry to judge every event the log held when it began (the registry's offsets reach
the chains' heads of that moment: the same measure as the lag gauge), saying so on stderr.
Still behind after WAIT_SECONDS (nothing applying the log: no `vendorwatch up` on this
database), it stops before sending anything; a dry run goes on, with a warning.

In Kafka mode the registry's progress is the consumer group's, which this does not read: the
import plans against the registry as it stands.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import asyncpg
import click

from services.platform.postgres import database
from services.platform.wording import plural
from services.registry.handlers import CONSUMER_NAME as REGISTRY

WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.2


async def unjudged(conn: asyncpg.Connection, heads: dict[int, int]) -> int:
    """How many events of the log up to `heads` (partition → seq) the registry has not
    judged yet."""
    rows = await conn.fetch(
        "SELECT partition, seq FROM consumer_offsets WHERE consumer = $1", REGISTRY
    )
    judged = {row["partition"]: row["seq"] for row in rows}
    return sum(max(0, seq - judged.get(partition, 0)) for partition, seq in heads.items())


async def wait_for_registry(
    database_url: str, say: Callable[[str], None], within: float = WAIT_SECONDS
) -> int:
    """Waits until the registry has judged every event the log holds now, for at most
    `within` seconds; returns how many it had still not judged then (0: caught up). Says
    once, through `say`, that it waits."""
    conn = await database.connect(database_url)
    try:
        rows = await conn.fetch("SELECT partition, seq FROM event_chain_heads")
        heads = {row["partition"]: row["seq"] for row in rows}
        deadline = time.monotonic() + within
        behind = await unjudged(conn, heads)
        if behind:
            say(
                f"waiting for the registry to judge the {plural(behind, 'event', grouped=True)}"
                " of the log it has not judged yet, so that the import reads what earlier"
                " imports recorded"
            )
        while behind and time.monotonic() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            behind = await unjudged(conn, heads)
        return behind
    finally:
        await conn.close()


async def judged_before_reading(database_url: str, *, dry_run: bool) -> None:
    """Waits for the registry to judge what the log holds before an import reads it; stops
    the import, nothing sent, if it stays behind (a dry run goes on, warned)."""
    say = lambda said: click.echo(said, err=True)  # noqa: E731
    behind = await wait_for_registry(database_url, say, WAIT_SECONDS)
    if not behind:
        return
    why = (
        f"the registry has not judged {plural(behind, 'event', grouped=True)} of the log after"
        f" {WAIT_SECONDS:.0f} s (is `vendorwatch up` running on this database?)"
    )
    if dry_run:
        click.echo(f"{why}: compared with the registry as it stands", err=True)
        return
    raise click.ClickException(
        f"{why}: nothing was sent, since an import planned against what it has judged would"
        " send again what is on its way and lift nothing of it; import again once it has"
    )
