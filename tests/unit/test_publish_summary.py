"""`publish --wait` ends with two lines that count the same events alike: ingest's (stored
now, already in the log, refused) and the registry's verdicts of the file's events the log
holds. Found by exploratory testing: "stored 3 of 5 events …, 1 already in it; refused 1"
was followed by "the registry accepted 2 of 4 events stored", four "stored" after three."""

from __future__ import annotations

import pytest

from services.cli.publish_verdicts import RegistryVerdicts, report_verdicts


def test_the_registry_counts_the_events_in_the_log_and_says_which_were_there_already(
    capsys: pytest.CaptureFixture[str],
) -> None:
    verdicts = RegistryVerdicts(judged=4, refused={2: "why", 5: "why"}, unjudged=0)
    assert report_verdicts(verdicts, shown=0, already=1) is False
    assert capsys.readouterr().out == (
        "the registry accepted 2 of the 4 events in the log (3 stored now, 1 already in it);"
        " refused 2\n"
    )
    assert report_verdicts(RegistryVerdicts(1, {}, 0), shown=0) is True
    assert (
        capsys.readouterr().out == "the registry accepted 1 of the 1 event in the log; refused 0\n"
    )
