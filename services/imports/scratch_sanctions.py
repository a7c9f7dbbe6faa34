"""The sanctions of an import, in its scratch database (`scratch.py`): those earlier imports of
the list recorded (`recorded`, a read-only mapping by sanction id, iterated in id order), those
the file lists so far (`listed`), and the entries that wait for the end of the file because
they may be recorded ones renamed (`renames.py` decides; this keeps them).
"""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
import sqlite3
from collections.abc import ItemsView, Iterable, Iterator, Mapping
from typing import Any

from services.imports.deltas import RecordedSanction
from services.imports.entries import ListEntry
from services.imports.scratch_vendors import BATCH

__all__ = ["Listed", "RecordedSanctions", "SanctionTable", "Terms"]

Terms = tuple[dt.date, str, str | None]  # first day, grounds (stripped), its vendor's country

_SCHEMA = """
CREATE TABLE recorded (
    sanction_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL, last_day TEXT,
    lifted INTEGER NOT NULL, starts_on TEXT, reason TEXT, authority TEXT,
    lifted_by_list INTEGER NOT NULL, changes INTEGER NOT NULL,
    terms_reason TEXT, country TEXT  -- what tells a renamed entry (renames.py)
) WITHOUT ROWID;
CREATE TABLE listed (sanction_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE foreseen (sanction_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE rows_read (
    sanction_id TEXT PRIMARY KEY, line INTEGER NOT NULL, terms TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE waiting (
    seq INTEGER PRIMARY KEY, starts_on TEXT NOT NULL, terms_reason TEXT NOT NULL,
    country TEXT, entry BLOB NOT NULL
);
CREATE TABLE pairing (seq INTEGER NOT NULL, sanction_id TEXT NOT NULL);
CREATE INDEX pairing_sanction ON pairing (sanction_id);
"""
# The sanctions in force an entry renamed may be: those with a first day and a reason.
_RENAMEABLE = "NOT lifted AND starts_on IS NOT NULL AND reason IS NOT NULL"
_COLUMNS = (
    "sanction_id, vendor_id, last_day, lifted, starts_on, reason, authority, lifted_by_list,"
    " changes"
)


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _sanction(row: Any) -> tuple[str, RecordedSanction]:
    sanction, vendor, last_day, lifted, starts_on, reason, authority, by_list, changes = row
    return sanction, RecordedSanction(
        vendor,
        _day(last_day),
        bool(lifted),
        _day(starts_on),
        reason,
        authority,
        bool(by_list),
        changes,
    )


class RecordedSanctions(Mapping[str, RecordedSanction]):
    """The list's sanctions as earlier imports recorded them, by id."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.empty = True  # a first import's: each row's look-up spared

    def __getitem__(self, sanction_id: str) -> RecordedSanction:
        if self.empty:
            raise KeyError(sanction_id)
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM recorded WHERE sanction_id = ?", (sanction_id,)
        ).fetchone()
        if found is None:
            raise KeyError(sanction_id)
        return _sanction(found)[1]

    def __iter__(self) -> Iterator[str]:
        found = self._db.execute("SELECT sanction_id FROM recorded ORDER BY sanction_id")
        return (str(sanction) for (sanction,) in found)

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM recorded").fetchone()[0])

    def items(self) -> ItemsView[str, RecordedSanction]:
        return _Items(self)

    def rows(self) -> Iterator[tuple[str, RecordedSanction]]:
        """(id, sanction) in id order, read as they are iterated (one query)."""
        found = self._db.execute(f"SELECT {_COLUMNS} FROM recorded ORDER BY sanction_id")
        return map(_sanction, found)


class _Items(ItemsView[str, RecordedSanction]):
    """The items read by one query rather than one per key."""

    _mapping: RecordedSanctions

    def __iter__(self) -> Iterator[tuple[str, RecordedSanction]]:
        return self._mapping.rows()


class Listed:
    """The recorded sanctions' ids the file lists (or renamed entries claim) so far, in
    `table`: `listed`, or `foreseen` for the reading before the import (mass_lifts.py)."""

    def __init__(
        self, db: sqlite3.Connection, recorded: RecordedSanctions, table: str = "listed"
    ) -> None:
        self._db, self._recorded = db, recorded
        self._add = f"INSERT OR IGNORE INTO {table} VALUES (?)"
        self._has = f"SELECT 1 FROM {table} WHERE sanction_id = ?"

    def add(self, sanction_id: str) -> None:
        # Only recorded sanctions are asked about (lifts, renames): none in a first import.
        if not self._recorded.empty:
            self._db.execute(self._add, (sanction_id,))

    def __contains__(self, sanction_id: object) -> bool:
        return self._db.execute(self._has, (sanction_id,)).fetchone() is not None


class SanctionTable:
    """The import's sanctions (module docstring)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.executescript(_SCHEMA)
        self.recorded = RecordedSanctions(db)
        self.listed = Listed(db, self.recorded)
        self.foreseen = Listed(db, self.recorded, "foreseen")

    def first_row(self, sanction_id: str, line: int, terms: str) -> tuple[int, str] | None:
        """The line of the file's earlier row of this sanction and the terms it gave
        (`repeats.terms`), or None: this row is its first, and is noted as such, with its
        `terms`."""
        found = self._db.execute(
            "SELECT line, terms FROM rows_read WHERE sanction_id = ?", (sanction_id,)
        ).fetchone()
        if found is None:
            self._db.execute("INSERT INTO rows_read VALUES (?, ?, ?)", (sanction_id, line, terms))
            return None
        return int(found[0]), str(found[1])

    def record(self, sanctions: Iterable[tuple[str, RecordedSanction]]) -> None:
        """Recorded sanctions, by earlier imports of the list (a batch at a time)."""
        rows = (
            (
                sid,
                r.vendor_id,
                _iso(r.last_day),
                r.lifted,
                _iso(r.starts_on),
                r.reason,
                r.authority,
                r.lifted_by_list,
                r.changes,
            )
            for sid, r in sanctions
        )
        while batch := list(itertools.islice(rows, BATCH)):
            self._db.executemany(
                "INSERT OR REPLACE INTO recorded VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                batch,
            )
            self.recorded.empty = False

    def renameable(self) -> bool:
        """Gives each recorded sanction in force its terms, with its vendor's country as the
        import knows it now (at the start); whether any has terms. Asked again (the reading
        before the import, mass_lifts.py), the same."""
        # Python's strip (SQLite's trim knows only spaces); the vendor table: scratch_vendors.
        self._db.create_function("py_strip", 1, str.strip, deterministic=True)
        self._db.execute(
            f"""UPDATE recorded SET terms_reason = py_strip(reason), country =
                  (SELECT country FROM vendor WHERE vendor.vendor_id = recorded.vendor_id)
                WHERE {_RENAMEABLE}"""
        )
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS recorded_terms"
            f" ON recorded (starts_on, terms_reason, country) WHERE {_RENAMEABLE}"
        )
        found = self._db.execute(f"SELECT 1 FROM recorded WHERE {_RENAMEABLE}")
        return found.fetchone() is not None

    def has_terms(self, terms: Terms) -> bool:
        """Whether a recorded sanction in force has these terms."""
        found = self._db.execute(
            f"""SELECT 1 FROM recorded WHERE {_RENAMEABLE}
                AND starts_on = ? AND terms_reason = ? AND country IS ?""",
            (terms[0].isoformat(), terms[1], terms[2]),
        )
        return found.fetchone() is not None

    def wait(self, item: ListEntry, terms: Terms) -> None:
        """`item` waits for the end of the file."""
        self._db.execute(
            "INSERT INTO waiting (starts_on, terms_reason, country, entry) VALUES (?, ?, ?, ?)",
            (terms[0].isoformat(), terms[1], terms[2], pickle.dumps(item)),
        )

    def waiting(self) -> Iterator[tuple[ListEntry, list[str]]]:
        """Each waiting entry, in the order it came, with the recorded sanctions in force of its
        terms the file did not list (computed for all before the first is given: what is
        listed as they are handled changes none)."""
        # Only the sanctions in force with a first day and a reason have terms (renameable).
        self._db.execute(
            """INSERT INTO pairing
               SELECT w.seq, r.sanction_id FROM waiting w JOIN recorded r
                 ON r.starts_on = w.starts_on AND r.terms_reason = w.terms_reason
                AND r.country IS w.country
               WHERE r.sanction_id NOT IN (SELECT sanction_id FROM listed)"""
        )
        found = self._db.execute("SELECT seq, entry FROM waiting ORDER BY seq")
        for seq, entry in found:
            item: ListEntry = pickle.loads(entry)  # our own, from a file private to the run
            gone = self._db.execute("SELECT sanction_id FROM pairing WHERE seq = ?", (seq,))
            yield item, [str(sanction) for (sanction,) in gone]

    def shared(self, vendor_id: str, sanction_id: str) -> bool:
        """Whether `vendor_id` holds a recorded sanction in force besides `sanction_id` (asked
        of the few vendors the list names otherwise: no index on the vendor)."""
        found = self._db.execute(
            "SELECT 1 FROM recorded WHERE vendor_id = ? AND sanction_id <> ? AND NOT lifted",
            (vendor_id, sanction_id),
        )
        return found.fetchone() is not None

    def claims(self, sanction_id: str) -> int:
        """How many waiting entries may be `sanction_id` renamed."""
        found = self._db.execute(
            "SELECT count(*) FROM pairing WHERE sanction_id = ?", (sanction_id,)
        )
        return int(found.fetchone()[0])


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
