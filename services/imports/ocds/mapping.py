"""An OCDS package's contracting processes as ordinary catalog events (pure), every party,
award and contract accounted for.

**Parties** become vendors as `parties.py` says (by their identifier; other parties,
such as the buyer, are not vendors, and the buyer names the contracts' agency).

**Contracts** become `contract.awarded`, `contract.amended` and `contract.terminated` events
as `contracts.py` says.

**In constant memory.** The file is read into the import's scratch database first
(`reading.py`; a broken file stops there, nothing sent), then mapped in two passes over
its processes, compiled one at a time (`ocds_package.processes`): the parties of every
process become the file's vendors (merged in the scratch database, `scratch.py`), which
are registered first, then each process's contracts. What crosses processes (vendors, who
claimed which identifier, each process's vendor parties) is in the scratch database; what
stays in memory is one process, the tally's counts and refusals, and the batch being sent.

Event ids are uuid5 of what the event is (the vendor's registration, the contract's award, …),
so importing the same file again without the registry's state sends the same events, which
ingest takes once; read against the registry, it sends no contract event (contracts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from services.events.base import EventEnvelope
from services.imports.ocds.contracts import contract_events
from services.imports.ocds.fields import moment, text
from services.imports.ocds.outcomes import Accounted, Outcome, Tally, envelope
from services.imports.ocds.package import Process, processes
from services.imports.ocds.parties import (
    VENDOR_ROLES,
    merge_vendor,
    objects,
    party_vendor,
    registration,
    roles,
)
from services.imports.ocds.reading import Package
from services.imports.ocds.scratch import OcdsScratch

# When a vendor's registration happened, if neither its release nor the package is dated.
UNDATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def mapped(package: Package, scratch: OcdsScratch, tally: Tally) -> Iterator[EventEnvelope]:
    """The package's events (registrations first, then each process's contract events), as
    they are made; what became of each party, award and contract told to `tally`. The
    registry's vendors are those `scratch` was told of (`OcdsScratch.know`). Raises
    PackageError (ocds_reading) for a record with no release, before any event."""
    for n, process in enumerate(processes(package, scratch)):
        tally.processes += 1
        _parties(n, process, package.published, scratch, tally)
    for event in _events(package, scratch, tally):
        tally.made(event)
        yield event


def _parties(
    n: int, process: Process, published: dt.datetime | None, scratch: OcdsScratch, tally: Tally
) -> None:
    """The process's vendor parties merged into the file's vendors, and noted as the
    process's `n`th for its contracts."""
    release = process.release
    seen = moment(release.get("date")) or published
    for k, party in objects(release.get("parties")):
        path = f"{process.where}.parties[{k}]"
        held = roles(party)
        if not held & VENDOR_ROLES:
            why = f"not a vendor (roles: {', '.join(sorted(held)) or 'none'})"
            tally.account(Accounted("party", process.ocid, path, Outcome.NOT_IMPORTED, why))
            continue
        try:
            vendor = party_vendor(party, seen)
        except ValueError as error:
            tally.account(Accounted("party", process.ocid, path, Outcome.REFUSED, str(error)))
            continue
        # One vendor per identifier: the registry's holder of one of them, else the vendor
        # of this file that has one of them already (a party identified by its tax number
        # and another by the same number in an additional scheme).
        holders = (scratch.holder(key) for key in vendor.identifiers)
        vendor.vendor_id = next((h for h in holders if h), vendor.vendor_id)
        merged = scratch.vendor(vendor.vendor_id)
        if merged is None or merge_vendor(merged, vendor):
            scratch.keep(merged or vendor)
        scratch.claim(vendor.identifiers, vendor.vendor_id)
        scratch.set_party(n, text(party.get("id")), vendor.vendor_id)
        # A vendor the registry has is not registered again (nor updated): nothing is sent
        # for the party, unchanged, as a contract recorded as the file gives it is.
        known = scratch.registered(vendor.vendor_id)
        outcome = Outcome.UNCHANGED if known else Outcome.APPLIED
        tally.account(Accounted("party", process.ocid, path, outcome))


def _events(package: Package, scratch: OcdsScratch, tally: Tally) -> Iterator[EventEnvelope]:
    """The registrations of the file's vendors the registry does not have, in the order they
    were first seen; then each process's contract events."""
    for vendor in scratch.vendors():
        if scratch.registered(vendor.vendor_id):
            tally.vendors_known += 1
            continue
        at = vendor.first_seen or UNDATED
        yield envelope(f"{vendor.vendor_id}/registered", at, vendor.vendor_id, registration(vendor))
    for n, process in enumerate(processes(package, scratch)):
        parties = scratch.parties(n)
        yield from contract_events(process, parties, package.published, tally, scratch.recorded)
