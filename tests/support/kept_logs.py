"""What a module logged, read by a test whatever the process's logging was set up as before:
another test's `vendorwatch` command may have replaced the root's handlers (pytest's capture)
and raised its level above WARNING."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


class Kept(logging.Handler):
    """Every record handed to it, kept."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@contextlib.contextmanager
def kept_logs(name: str, level: int = logging.WARNING) -> Iterator[Kept]:
    """The records of logger `name` at `level` and above, for the block; the logger as it was
    after."""
    kept = Kept(level)
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(level)
    logger.addHandler(kept)
    try:
        yield kept
    finally:
        logger.removeHandler(kept)
        logger.setLevel(before)
