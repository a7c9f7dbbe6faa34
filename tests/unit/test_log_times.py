"""Log lines' times name their zone: a line says when it was written whatever the zone of the
host that wrote it (ISO 8601 in UTC, with its `Z`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest

from services.platform.operations.logs import LogFormat, configure_logging

_UTC_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _logged_time(capsys: pytest.CaptureFixture[str], log_format: LogFormat) -> str:
    configure_logging("info", log_format)
    logging.getLogger("vendorwatch.test").info("written")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    return json.loads(line)["time"] if log_format == "json" else line.split(" ", 1)[0]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_a_log_line_is_dated_in_utc_with_its_zone(
    capsys: pytest.CaptureFixture[str], root_logging: None, log_format: LogFormat
) -> None:
    before = dt.datetime.now(dt.UTC)
    stamp = _logged_time(capsys, log_format)
    assert _UTC_ISO.fullmatch(stamp), stamp
    written = dt.datetime.fromisoformat(stamp)
    assert before - dt.timedelta(seconds=1) <= written <= dt.datetime.now(dt.UTC)
