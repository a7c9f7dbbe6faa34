"""The vendors an import's entities may join and those it made, in the import's scratch
database (`scratch.py`): what `resolution.Resolver` knows, out of Python's memory.

Per vendor: its country, its kind (a firm or a person, when known), its names in the order
learnt (the legal name first) with their normalised and resolution forms, its aliases (an
ordered set), the identifiers it holds; per identifier, every vendor said to hold it (one a
vendor the import does not know: then not among that vendor's own, as the resolver has always
counted them); per entity, the vendor it became.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from services.events.vendor import VendorKind
from services.imports.resolution_forms import resolution_form
from services.registry.domain.names import IdentifierKey, normalize_name

__all__ = ["BATCH", "Known", "Vendor", "VendorTable"]

# Rows written or read at once when loading and indexing: bounded whatever the registry's size.
BATCH = 1000

_SCHEMA = """
CREATE TABLE vendor (vendor_id TEXT NOT NULL UNIQUE, country TEXT, kind TEXT);
CREATE TABLE vendor_name (
    vendor_id TEXT NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL,
    form TEXT NOT NULL, rform TEXT NOT NULL, PRIMARY KEY (vendor_id, pos)
) WITHOUT ROWID;
CREATE INDEX vendor_name_rform ON vendor_name (rform);
CREATE TABLE vendor_alias (
    vendor_id TEXT NOT NULL, alias TEXT NOT NULL, pos INTEGER NOT NULL,
    PRIMARY KEY (vendor_id, alias)
) WITHOUT ROWID;
CREATE TABLE holder (
    scheme TEXT NOT NULL, value TEXT NOT NULL, vendor_id TEXT NOT NULL,
    held INTEGER NOT NULL, PRIMARY KEY (scheme, value, vendor_id)
) WITHOUT ROWID;
CREATE INDEX holder_vendor ON holder (vendor_id) WHERE held;
CREATE TABLE own (own_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Known:
    """A vendor an entity may join: its current names (legal first), aliases, identifiers,
    and whether it is a firm or a person (None: not known)."""

    vendor_id: str
    country: str | None
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    identifiers: tuple[IdentifierKey, ...] = ()
    kind: VendorKind | None = None


@dataclass(frozen=True)
class Vendor:
    """What the import knows of a vendor: its country and names (the legal name first)."""

    country: str | None
    names: tuple[str, ...]


class VendorTable:
    """The resolver's vendors (module docstring)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.executescript(_SCHEMA)

    def learn(self, known: Iterable[Known]) -> None:
        """The vendors known when the import starts, with their identifiers."""
        for vendor in known:
            self.add(vendor.vendor_id, vendor.country, vendor.names, vendor.aliases, vendor.kind)
            self.identify(vendor.vendor_id, vendor.identifiers)

    def get(self, vendor_id: str) -> Vendor | None:
        row = self._db.execute("SELECT country FROM vendor WHERE vendor_id = ?", (vendor_id,))
        found = row.fetchone()
        return None if found is None else Vendor(found[0], self.names(vendor_id))

    def __contains__(self, vendor_id: object) -> bool:
        found = self._db.execute("SELECT 1 FROM vendor WHERE vendor_id = ?", (vendor_id,))
        return found.fetchone() is not None

    def kind(self, vendor_id: str) -> VendorKind | None:
        """Whether the vendor is a firm or a person; None: not known (or not the vendor)."""
        found = self._db.execute("SELECT kind FROM vendor WHERE vendor_id = ?", (vendor_id,))
        row = found.fetchone()
        return VendorKind(row[0]) if row is not None and row[0] is not None else None

    def set_kind(self, vendor_id: str, kind: VendorKind) -> None:
        self._db.execute("UPDATE vendor SET kind = ? WHERE vendor_id = ?", (kind, vendor_id))

    def names(self, vendor_id: str) -> tuple[str, ...]:
        found = self._db.execute(
            "SELECT name FROM vendor_name WHERE vendor_id = ? ORDER BY pos", (vendor_id,)
        )
        return tuple(name for (name,) in found)

    def forms(self, vendor_id: str) -> set[str]:
        """`normalize_name` of each of the vendor's names."""
        found = self._db.execute("SELECT form FROM vendor_name WHERE vendor_id = ?", (vendor_id,))
        return {form for (form,) in found}

    def aliases(self, vendor_id: str) -> tuple[str, ...]:
        found = self._db.execute(
            "SELECT alias FROM vendor_alias WHERE vendor_id = ? ORDER BY pos", (vendor_id,)
        )
        return tuple(alias for (alias,) in found)

    def identifiers(self, vendor_id: str) -> tuple[IdentifierKey, ...]:
        """The identifiers the vendor holds, in order."""
        found = self._db.execute(
            "SELECT scheme, value FROM holder WHERE vendor_id = ? AND held ORDER BY scheme, value",
            (vendor_id,),
        )
        return tuple(IdentifierKey(scheme, value) for scheme, value in found)

    def holders(self, identifiers: Iterable[IdentifierKey]) -> list[str]:
        """Every vendor said to hold one of `identifiers`, in id order."""
        vendors: set[str] = set()
        for key in identifiers:
            found = self._db.execute(
                "SELECT vendor_id FROM holder WHERE scheme = ? AND value = ?", key
            )
            vendors.update(vendor for (vendor,) in found)
        return sorted(vendors)

    def of_form(self, form: str) -> list[tuple[str, str, str | None]]:
        """The vendors with a name of this resolution form, in id order: each with the first
        of its names of that form and its country."""
        # SQLite takes a bare column of an aggregate query from the row min() chose.
        found = self._db.execute(
            """SELECT n.vendor_id, n.name, v.country, min(n.pos)
               FROM vendor_name n JOIN vendor v USING (vendor_id)
               WHERE n.rform = ? GROUP BY n.vendor_id ORDER BY n.vendor_id""",
            (form,),
        )
        return [(vendor, name, country) for vendor, name, country, _ in found]

    def own(self, own_id: str) -> str | None:
        """The vendor the entity `own_id` became, if it was resolved (or recorded) before, or
        else the vendor of that id if there is one."""
        found = self._db.execute(
            """SELECT coalesce((SELECT vendor_id FROM own WHERE own_id = ?1),
                               (SELECT vendor_id FROM vendor WHERE vendor_id = ?1))""",
            (own_id,),
        )
        vendor = found.fetchone()[0]
        return None if vendor is None else str(vendor)

    def set_own(self, own_id: str, vendor_id: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO own VALUES (?, ?)", (own_id, vendor_id))

    def add(
        self,
        vendor_id: str,
        country: str | None,
        names: Sequence[str],
        aliases: Sequence[str],
        kind: VendorKind | None = None,
    ) -> tuple[str, ...] | None:
        """The vendor (made with `country` and `kind` if new) gains the `names` it lacks and
        `aliases`; all its names when it gained some (None: none new)."""
        made = self._db.execute(
            "INSERT OR IGNORE INTO vendor VALUES (?, ?, ?)", (vendor_id, country, kind)
        )
        current: tuple[str, ...] = ()
        start = 0
        if not made.rowcount:  # it was known: its names and the next alias's place
            current = self.names(vendor_id)
            (start,) = self._db.execute(
                "SELECT coalesce(max(pos) + 1, 0) FROM vendor_alias WHERE vendor_id = ?",
                (vendor_id,),
            ).fetchone()
        added = [n for n in names if n not in current]
        # One statement a row (executemany costs more for the one or two names of most).
        for i, name in enumerate(added, start=len(current)):
            self._db.execute(
                "INSERT INTO vendor_name VALUES (?, ?, ?, ?, ?)",
                (vendor_id, i, name, normalize_name(name), resolution_form(name)),
            )
        for i, alias in enumerate(aliases, start=start):  # an ordered set: one keeps its place
            self._db.execute(
                "INSERT OR IGNORE INTO vendor_alias VALUES (?, ?, ?)", (vendor_id, alias, i)
            )
        return (*current, *added) if added else None

    def identify(self, vendor_id: str, identifiers: Sequence[IdentifierKey]) -> None:
        """`vendor_id` holds these identifiers (among its own only if it is known)."""
        if not identifiers:
            return
        held = vendor_id in self
        self._db.executemany(
            """INSERT INTO holder VALUES (?, ?, ?, ?) ON CONFLICT (scheme, value, vendor_id)
               DO UPDATE SET held = max(held, excluded.held)""",
            ((key.scheme, key.value, vendor_id, held) for key in identifiers),
        )

    def named(self, besides_prefix: str) -> Iterator[dict[str, tuple[str, ...]]]:
        """Every vendor's names but those of vendors whose id starts with `besides_prefix`, in
        the order the vendors were learnt, BATCH vendors at a time."""
        found = self._db.execute(
            """SELECT n.vendor_id, n.name FROM vendor v JOIN vendor_name n USING (vendor_id)
               WHERE substr(v.vendor_id, 1, ?) <> ? ORDER BY v.rowid, n.pos""",
            (len(besides_prefix), besides_prefix),
        )
        groups = itertools.groupby(found, key=lambda row: str(row[0]))
        vendors = ((vendor, tuple(str(row[1]) for row in rows)) for vendor, rows in groups)
        while batch := dict(itertools.islice(vendors, BATCH)):
            yield batch
