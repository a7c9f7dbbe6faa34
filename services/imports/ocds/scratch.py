"""What an OCDS import keeps while it works, in a private SQLite scratch database
(`services/imports/scratch.PrivateDatabase`, the list imports' machinery), not in Python:
a package of a million releases takes about as much memory as one of ten thousand.

- **The file as read**: each release (by its place in `releases`, with its `ocid`) or record,
  pickled, and the `ocid`s in the order their first release appears. The releases of one
  process may be anywhere in the file, and the registrations come before any contract, so a
  process is compiled from here (`ocds_package.processes`) once per pass, one at a time.
- **The registry's vendors and who holds which identifier**, loaded a page at a time: a
  party holding a registered identifier is that vendor, not a new one; and **its records of
  the contracts earlier imports made** (their current end, value and termination): a
  contract recorded already is amended, not awarded again (`ocds_contracts`).
- **The file's vendors**, pickled (`ocds_parties.Vendor`, merged as more parties name them), in
  the order they were first seen; each identifier's vendor in this file; each process's party
  ids → vendor ids, for its contracts.

Not thread-safe; closed (and deleted) by `close`.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterable, Iterator

from services.events.vendor import VendorIdentifierRef
from services.imports.ocds.fields import JSON
from services.imports.ocds.parties import Vendor
from services.imports.ocds.recorded import RecordedContract
from services.imports.scratch import PrivateDatabase
from services.registry.domain.names import IdentifierKey

__all__ = ["OcdsScratch"]

_SCHEMA = """
CREATE TABLE release (n INTEGER PRIMARY KEY, ocid TEXT NOT NULL, body BLOB NOT NULL);
CREATE INDEX release_ocid ON release (ocid, n);
CREATE TABLE process (seq INTEGER PRIMARY KEY, ocid TEXT NOT NULL UNIQUE);
CREATE TABLE record (n INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE registered (vendor_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE owner (
    scheme TEXT NOT NULL, value TEXT NOT NULL, vendor_id TEXT NOT NULL,
    PRIMARY KEY (scheme, value)
) WITHOUT ROWID;
CREATE TABLE vendor (seq INTEGER PRIMARY KEY, vendor_id TEXT NOT NULL UNIQUE, body BLOB NOT NULL);
CREATE TABLE claimed (
    scheme TEXT NOT NULL, value TEXT NOT NULL, vendor_id TEXT NOT NULL,
    PRIMARY KEY (scheme, value)
) WITHOUT ROWID;
CREATE TABLE contract (
    contract_id TEXT PRIMARY KEY, vendor_id TEXT NOT NULL, ends_on TEXT NOT NULL,
    amount INTEGER NOT NULL, currency TEXT NOT NULL, terminated INTEGER NOT NULL,
    terms_as_of TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE party (
    process INTEGER NOT NULL, party_id TEXT NOT NULL, vendor_id TEXT NOT NULL,
    PRIMARY KEY (process, party_id)
) WITHOUT ROWID;
"""


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _packed(vendor: Vendor) -> bytes:
    """A vendor pickled as plain values: its identifiers' models rebuilt unchecked when read
    (they were checked when the party was read), pickling a model costing ten times more."""
    refs = [(*key, ref.scheme, ref.value) for key, ref in vendor.identifiers.items()]
    return _pickled(
        (
            vendor.vendor_id,
            vendor.legal_name,
            vendor.other_names,
            refs,
            vendor.country,
            vendor.first_seen,
        )
    )


def _unpacked(body: bytes) -> Vendor:
    vendor_id, legal_name, other_names, refs, country, first_seen = pickle.loads(body)
    identifiers = {
        IdentifierKey(scheme, value): VendorIdentifierRef.model_construct(scheme=ref, value=as_is)
        for scheme, value, ref, as_is in refs
    }
    return Vendor(vendor_id, legal_name, other_names, identifiers, country, first_seen)


class OcdsScratch(PrivateDatabase):
    """An OCDS import's tables (module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._db.executescript(_SCHEMA)
        self._db.execute("BEGIN")  # after the tables: executescript commits first

    # --- The file as read ----------------------------------------------------------------

    def add_release(self, n: int, ocid: str, release: JSON) -> None:
        self._db.execute("INSERT INTO release VALUES (?, ?, ?)", (n, ocid, _pickled(release)))
        self._db.execute("INSERT OR IGNORE INTO process (ocid) VALUES (?)", (ocid,))

    def add_record(self, n: int, record: JSON) -> None:
        self._db.execute("INSERT INTO record VALUES (?, ?)", (n, _pickled(record)))

    def release_groups(self) -> Iterator[tuple[str, list[tuple[int, JSON]]]]:
        """Each `ocid` with its releases (their places and themselves, in the file's order),
        in the order its first release appears."""
        for (ocid,) in self._db.execute("SELECT ocid FROM process ORDER BY seq"):
            found = self._db.execute(
                "SELECT n, body FROM release WHERE ocid = ? ORDER BY n", (ocid,)
            )
            yield ocid, [(n, pickle.loads(body)) for n, body in found]

    def records(self) -> Iterator[tuple[int, JSON]]:
        for n, body in self._db.execute("SELECT n, body FROM record ORDER BY n"):
            yield n, pickle.loads(body)

    # --- The registry --------------------------------------------------------------------

    def know(self, vendor_ids: Iterable[str], owners: Iterable[tuple[IdentifierKey, str]]) -> None:
        """Vendors the registry has, and who holds which identifier there (a holder is one of
        its vendors too)."""
        self._db.executemany(
            "INSERT OR IGNORE INTO registered VALUES (?)", ((v,) for v in vendor_ids)
        )
        for key, vendor in owners:
            self._db.execute("INSERT OR REPLACE INTO owner VALUES (?, ?, ?)", (*key, vendor))
            self._db.execute("INSERT OR IGNORE INTO registered VALUES (?)", (vendor,))

    def know_contracts(self, contracts: Iterable[tuple[str, RecordedContract]]) -> None:
        """Contracts the registry records (by id), as they stand now."""
        self._db.executemany(
            "INSERT OR REPLACE INTO contract VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    cid,
                    c.vendor_id,
                    c.ends_on.isoformat(),
                    c.amount,
                    c.currency,
                    c.terminated,
                    c.terms_as_of.isoformat(),
                )
                for cid, c in contracts
            ),
        )

    def recorded(self, contract_id: str) -> RecordedContract | None:
        """The registry's record of a contract, if an earlier import made it."""
        found = self._db.execute(
            "SELECT vendor_id, ends_on, amount, currency, terminated, terms_as_of FROM contract"
            " WHERE contract_id = ?",
            (contract_id,),
        ).fetchone()
        if found is None:
            return None
        vendor_id, ends_on, amount, currency, terminated, terms_as_of = found
        return RecordedContract(
            vendor_id,
            dt.date.fromisoformat(ends_on),
            amount,
            currency,
            bool(terminated),
            dt.datetime.fromisoformat(terms_as_of),
        )

    def registered(self, vendor_id: str) -> bool:
        found = self._db.execute("SELECT 1 FROM registered WHERE vendor_id = ?", (vendor_id,))
        return found.fetchone() is not None

    # --- The file's vendors --------------------------------------------------------------

    def holder(self, key: IdentifierKey) -> str | None:
        """The vendor an identifier belongs to: the registry's holder, else the vendor of
        this file that claimed it last."""
        found = self._db.execute(
            """SELECT coalesce(
                   (SELECT vendor_id FROM owner WHERE scheme = ?1 AND value = ?2),
                   (SELECT vendor_id FROM claimed WHERE scheme = ?1 AND value = ?2))""",
            key,
        )
        vendor = found.fetchone()[0]
        return None if vendor is None else str(vendor)

    def claim(self, keys: Iterable[IdentifierKey], vendor_id: str) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO claimed VALUES (?, ?, ?)",
            ((key.scheme, key.value, vendor_id) for key in keys),
        )

    def vendor(self, vendor_id: str) -> Vendor | None:
        found = self._db.execute("SELECT body FROM vendor WHERE vendor_id = ?", (vendor_id,))
        row = found.fetchone()
        return None if row is None else _unpacked(row[0])

    def keep(self, vendor: Vendor) -> None:
        """The vendor, new (after the others) or merged (in its place)."""
        self._db.execute(
            """INSERT INTO vendor (vendor_id, body) VALUES (?, ?)
               ON CONFLICT (vendor_id) DO UPDATE SET body = excluded.body""",
            (vendor.vendor_id, _packed(vendor)),
        )

    def vendors(self) -> Iterator[Vendor]:
        """The file's vendors in the order they were first seen."""
        for (body,) in self._db.execute("SELECT body FROM vendor ORDER BY seq"):
            yield _unpacked(body)

    def set_party(self, process: int, party_id: str, vendor_id: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO party VALUES (?, ?, ?)", (process, party_id, vendor_id)
        )

    def parties(self, process: int) -> dict[str, str]:
        """The vendor parties of a process (its number in the pass): party id → vendor id."""
        found = self._db.execute(
            "SELECT party_id, vendor_id FROM party WHERE process = ?", (process,)
        )
        return {party: vendor for party, vendor in found}
