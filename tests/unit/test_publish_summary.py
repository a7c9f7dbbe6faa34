"""`publish --wait` ends with two lines that count the same events alike: ingest's (stored
now, already in the log, refused) and the registry's verdicts of the file's events the log
holds. Found by exploratory testing: "stored 3 of 5 events …, 1 already in it; refused 1"
was followed by "the registry accepted 2 of 4 events stored", four "stored" after three."""

from __future__ import annotations

import uuid

import pytest

from services.cli.publish_verdicts import RegistryVerdicts, StoredEvents, report_verdicts


def test_the_registry_counts_the_events_in_the_log_and_says_which_were_there_already(
    capsys: pytest.CaptureFixture[str],
) -> None:
    refused = [("line 2", "why"), ("line 5", "why")]
    verdicts = RegistryVerdicts(judged=4, refused=refused, unjudged=0, held_before=1)
    assert report_verdicts(verdicts, shown=0) is False
    assert capsys.readouterr().out == (
        "the registry accepted 2 of the 4 events in the log (3 stored now, 1 already in it);"
        " refused 2\n"
    )
    assert report_verdicts(RegistryVerdicts(1, [], 0, 0), shown=0) is True
    assert (
        capsys.readouterr().out == "the registry accepted 1 of the 1 event in the log; refused 0\n"
    )


def test_an_event_a_file_repeats_is_counted_once_and_named_by_its_first_line() -> None:
    # E6, E6, E5 (E5 published before): "(0 stored now, 2 already in it)", the repeat of E6
    # taken for an event held before, and a refusal of E6 named line 2 only.
    e5, e6 = uuid.uuid4(), uuid.uuid4()
    stored = StoredEvents()
    for event, line, new in ((e6, 1, True), (e6, 2, False), (e5, 3, False)):
        stored.add(event, line, new)
    assert (len(stored.lines), stored.held_before) == (2, 1)
    assert [str(stored.lines[e]) for e in (e6, e5)] == ["line 1 (repeated on line 2)", "line 3"]
    stored.add(e6, 7, False)
    assert str(stored.lines[e6]) == "line 1 (repeated on line 2 and 1 more)"
