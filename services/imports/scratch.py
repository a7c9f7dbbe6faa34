"""An import's working memory on disk: what it knows of each entity, kept in a private
temporary SQLite database rather than in Python objects, so that importing a list of a
million rows takes about as much memory as one of ten thousand.

What an import must remember grows with the list: every vendor it may join or has made
(names, resolution forms, aliases, identifiers: `scratch_vendors.py`), which vendor each
entity became, the sanctions earlier imports of the list recorded and those the file lists
(for the lifts at its end), the entries that wait for the end because they may be recorded
ones renamed (`scratch_sanctions.py`). Held in dicts and sets that was about 1.5 KB an entity.

SQLite because it is in the standard library and works in every mode (a dry run without a
database, Kafka mode without PostgreSQL): the empty file name opens a database private to the
connection, on disk but kept in SQLite's page cache while it fits (CACHE_KIB, outside Python's
heap) and deleted when the connection closes. Nothing here is durable: no journal, no sync; a
crash loses only the run, which is started again (the events' ids make that harmless).

Not thread-safe, and used from the one thread that plans an import.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from types import TracebackType
from typing import Self

from services.imports.deltas import RecordedSanction
from services.imports.scratch_sanctions import SanctionTable
from services.imports.scratch_vendors import Known, VendorTable

__all__ = ["CACHE_KIB", "PrivateDatabase", "Scratch"]

# SQLite's page cache, the memory the scratch database may take before it reads and writes
# its file: bounded whatever the list's size.
CACHE_KIB = 16 * 1024


class PrivateDatabase:
    """A private temporary database on disk ("" as its name), deleted when closed (`close`, or
    leaving a `with`); autocommit off by hand: a subclass makes its tables, then BEGINs the
    run's one transaction (nothing is to be durable, and commits would cost)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{CACHE_KIB}"):
            self._db.execute(f"PRAGMA {pragma}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class Scratch(PrivateDatabase):
    """The tables of one import (module docstring); closed (and deleted) by `close`."""

    def __init__(self) -> None:
        super().__init__()
        self.vendors = VendorTable(self._db)
        self.sanctions = SanctionTable(self._db)
        self._db.execute("BEGIN")  # after the tables: executescript commits first

    def load(
        self, known: Iterable[Known], sanctions: Iterable[tuple[str, RecordedSanction]]
    ) -> None:
        """What an import starts from: the vendors an entity may join, the list's recorded
        sanctions (both read a batch at a time)."""
        self.vendors.learn(known)
        self.sanctions.record(sanctions)
