"""`vendorwatch publish` counts a line repeating an event of an earlier line of the file
apart from an event the log held before the file, in whichever batch the repeat comes (real
PostgreSQL, the embedded log): both were "already in it", which `--wait`'s line, counting
each event once, contradicted."""

from __future__ import annotations

import io

import pytest

from services.cli import publishing
from tests.support import case_b

pytestmark = pytest.mark.postgres


async def published(database_url: str, *lines: bytes) -> publishing.Tally:
    tally = publishing.Tally()
    async with publishing.to_embedded(database_url) as send:
        source = io.BytesIO(b"\n".join(lines) + b"\n")
        await publishing.publish(publishing.read_lines(source), send, lambda _: None, tally)
    return tally


async def test_a_repeat_in_a_later_batch_is_counted_as_a_repeat(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registered = case_b.line(case_b.registered())
    await published(database_url, registered)
    monkeypatch.setattr(publishing, "BATCH_LINES", 2)
    suspended = case_b.line(case_b.suspended())
    # Batches: [suspended, registered (held before)], [suspended (line 1's), suspended].
    tally = await published(database_url, suspended, registered, suspended, suspended)
    assert (tally.accepted, tally.again, tally.repeated) == (4, 1, 2)
    assert publishing.report(tally, "stored", "in the embedded event log", "already")
    assert capsys.readouterr().out == (
        "stored 1 of 4 events in the embedded event log, 1 already in it, 2 repeated in the"
        " file; refused 0\n"
    )
