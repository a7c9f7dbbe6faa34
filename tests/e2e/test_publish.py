"""`vendorwatch publish` as a real process: counts and exit status that tell the truth, reasons
by the file's line numbers, and a file streamed rather than read whole."""

from __future__ import annotations

import asyncio
import codecs
import subprocess
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.platform.eventlog.embedded import drain
from services.platform.eventlog.topics import load_topics
from services.platform.postgres.database import open_pool
from tests.support import case_b
from tests.support.processes import VENDORWATCH, run_cli, wait_until
from tests.support.registry import REGISTRY

BAD_JSON = b'{"event_id": '
UNKNOWN_TYPE = b'{"event_type": "vendor.teleported"}'


def write_lines(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.postgres
def test_refused_lines_are_counted_named_by_line_and_fail_the_command(
    database_url: str, tmp_path: Path
) -> None:
    events = write_lines(
        tmp_path / "mixed.jsonl",
        case_b.line(case_b.registered()),
        b"",
        BAD_JSON,
        case_b.line(case_b.suspended()),
        b"   ",
        UNKNOWN_TYPE,
    )
    result = run_cli("publish", str(events), "--database-url", database_url)
    assert result.returncode == 1
    assert result.stdout == "stored 2 of 4 events in the embedded event log; refused 2\n"
    reasons = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert len(reasons) == 2, result.stderr
    # Numbered as in the file (blank lines count), the position inside a line by column.
    assert reasons[0].startswith("line 3: not a JSON object:")
    assert reasons[0].endswith("EOF while parsing a value at column 12")
    assert reasons[1].startswith("line 6: event_type: unknown event type 'vendor.teleported'")
    assert "Traceback" not in result.stderr


@pytest.mark.postgres
def test_without_wait_the_registry_s_verdict_is_said_to_come_later(
    database_url: str, tmp_path: Path
) -> None:
    events = write_lines(tmp_path / "b.jsonl", case_b.line(case_b.registered()))
    result = run_cli("publish", str(events), "--database-url", database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "stored 1 of 1 event in the embedded event log; refused 0\n"
    assert "eventStatus(eventId) gives its verdict" in result.stderr


async def _published_with_registry(
    database_url: str, events: Path
) -> subprocess.CompletedProcess[str]:
    """`vendorwatch publish --wait` of `events`, the registry applying the log meanwhile (as
    a `vendorwatch up` on this database would)."""
    publishing = asyncio.ensure_future(
        asyncio.to_thread(run_cli, "publish", str(events), "--wait", "--database-url", database_url)
    )
    pool = await open_pool(database_url, migrate=False)
    try:
        while not publishing.done():
            await drain(pool, REGISTRY)
            await asyncio.sleep(0.1)
    finally:
        await pool.close()
    return await publishing


@pytest.mark.postgres
async def test_wait_reports_what_the_registry_refused_of_what_was_stored(
    database_url: str, tmp_path: Path
) -> None:
    """Ingest stores a suspension of a vendor not yet registered; the registry, judging the
    log in its order, refuses it. Without --wait publish could only say it was stored."""
    events = write_lines(
        tmp_path / "b.jsonl",
        case_b.line(case_b.suspended()),
        case_b.line(case_b.registered()),
    )
    result = await _published_with_registry(database_url, events)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stored 2 of 2 events in the embedded event log; refused 0",
        "the registry accepted 1 of the 2 events in the log; refused 1",
    ]
    refusals = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert refusals == [
        "line 1: the registry refused it: vendor_id: unknown vendor 'vendor-b'; register it first"
    ]


@pytest.mark.postgres
async def test_wait_counts_an_event_the_file_repeats_once_and_names_its_first_line(
    database_url: str, tmp_path: Path
) -> None:
    """A file of E6, E6, E5, E5 published before: the registry's line said "(0 stored now, 2
    already in it)" (distinct events less repeated lines) and its refusal of E6 named line 2,
    the repeat, not line 1. Ingest's line counts the repeat apart, not as an event the log
    held before the file: it said "2 already in it" where the registry's line said 1."""
    registered = case_b.line(case_b.registered())
    before = run_cli(
        "publish",
        str(write_lines(tmp_path / "b.jsonl", registered)),
        "--database-url",
        database_url,
    )
    assert before.returncode == 0, before.stderr
    unknown = case_b.line(case_b.suspended(vendor_id="vendor-x", sanction_id="s-x"))
    events = write_lines(tmp_path / "again.jsonl", unknown, unknown, registered)
    result = await _published_with_registry(database_url, events)

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stored 1 of 3 events in the embedded event log, 1 already in it, 1 repeated in the"
        " file; refused 0",
        "the registry accepted 1 of the 2 events in the log (1 stored now, 1 already in it);"
        " refused 1",
    ]
    refusals = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert refusals == [
        "line 1 (repeated on line 2): the registry refused it: vendor_id: unknown vendor"
        " 'vendor-x'; register it first"
    ]


def test_wait_is_for_the_embedded_mode(tmp_path: Path) -> None:
    events = write_lines(tmp_path / "b.jsonl", case_b.line(case_b.registered()))
    result = run_cli("publish", str(events), "--wait", "--kafka", "127.0.0.1:1")
    assert result.returncode == 2
    assert "--wait reads the registry's verdicts in the embedded mode's database" in result.stderr


@pytest.mark.postgres
def test_a_file_saved_with_a_byte_order_mark_is_read_as_the_importers_read_one(
    database_url: str, tmp_path: Path
) -> None:
    """Windows' editors save UTF-8 with a byte-order mark: its first line was refused as "not a
    JSON object" and dead-lettered. It is read without the mark, from a file or from stdin."""
    events = write_lines(
        tmp_path / "bom.jsonl",
        codecs.BOM_UTF8 + case_b.line(case_b.registered()),
        case_b.line(case_b.suspended()),
    )
    from_file = run_cli("publish", str(events), "--database-url", database_url)
    assert (from_file.returncode, from_file.stdout) == (
        0,
        "stored 2 of 2 events in the embedded event log; refused 0\n",
    ), from_file.stderr
    # The same events again, through stdin: each is a resend now, accepted as before, and
    # said to be in the log already (it said "stored 2 of 2", a tester's finding).
    from_stdin = run_cli(
        "publish", "-", "--database-url", database_url, input=events.read_text(encoding="utf-8")
    )
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == (
        "stored 0 of 2 events in the embedded event log, 2 already in it; refused 0\n"
    )


@pytest.mark.postgres
def test_every_line_refused_is_a_failure_too(database_url: str, tmp_path: Path) -> None:
    events = write_lines(tmp_path / "bad.jsonl", BAD_JSON, UNKNOWN_TYPE)
    result = run_cli("publish", str(events), "--database-url", database_url)
    assert result.returncode == 1
    assert result.stdout.startswith("stored 0 of 2 events")


@pytest.mark.postgres
def test_only_the_first_reasons_are_printed(database_url: str, tmp_path: Path) -> None:
    events = write_lines(tmp_path / "many.jsonl", *[BAD_JSON] * 25)
    result = run_cli("publish", str(events), "--database-url", database_url)
    assert result.returncode == 1
    reasons = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [r.split(":")[0] for r in reasons] == [f"line {n}" for n in range(1, 21)]
    assert "… and 5 more refused" in result.stderr


@pytest.mark.postgres
def test_the_file_is_streamed_a_batch_at_a_time(database_url: str) -> None:
    """The first batch is in the log while the rest of the input has not been written yet:
    publish holds a batch, never the whole file."""
    publish = subprocess.Popen(
        [*VENDORWATCH, "publish", "-", "--database-url", database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert publish.stdin is not None
    try:
        first = [case_b.line(case_b.another_vendor(f"vendor-{n}")) for n in range(500)]
        publish.stdin.write(b"\n".join(first) + b"\n")
        publish.stdin.flush()
        wait_until(lambda: stored(database_url) == 500, "the first batch in the log", 60)
        assert publish.poll() is None  # still reading its input
        rest = [case_b.line(case_b.another_vendor(f"vendor-{n}")) for n in range(500, 700)]
        out, err = publish.communicate(b"\n".join(rest) + b"\n", timeout=60)
    finally:
        if publish.poll() is None:
            publish.kill()
            publish.wait()
    assert publish.returncode == 0, err
    assert out.decode().startswith("stored 700 of 700 events")
    assert stored(database_url) == 700


def stored(database_url: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM event_store"))
        finally:
            await conn.close()

    return asyncio.run(count())


async def create_producers_topic(bootstrap: str) -> None:
    """As the workers would (loaded now, the topic's name has the test's namespace)."""
    raw = load_topics()["raw"]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(raw.name, raw.partitions, 1)])
    finally:
        await admin.close()


@pytest.mark.kafka
def test_into_kafka_the_same_lines_are_refused(
    kafka_bootstrap: str, namespace: str, tmp_path: Path
) -> None:
    """Ingest judges Kafka's lines later, by the same rules; publish says what it will say."""
    events = write_lines(
        tmp_path / "mixed.jsonl", case_b.line(case_b.registered()), BAD_JSON, UNKNOWN_TYPE
    )
    before = run_cli("publish", str(events), "--kafka", kafka_bootstrap, timeout=120)
    assert before.returncode == 1
    assert before.stderr.strip() == (
        f"Error: Kafka at {kafka_bootstrap} has no topic for producers yet; "
        "start the distributed services first (they create their topics)"
    )
    asyncio.run(create_producers_topic(kafka_bootstrap))
    result = run_cli("publish", str(events), "--kafka", kafka_bootstrap, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stdout == f"sent 1 of 3 events to Kafka at {kafka_bootstrap}; refused 2\n"
    reasons = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert [r.split(":")[0] for r in reasons] == ["line 2", "line 3"]
    assert "refused lines are dead-lettered by ingest (query deadLetters)" in result.stderr
    # The verdicts are eventStatus's to give: --wait reads the embedded mode's database only,
    # and is refused with --kafka, so it is not offered here (an operator's finding).
    assert "eventStatus(eventId) gives its verdict" in result.stderr
    assert "--wait" not in result.stderr
