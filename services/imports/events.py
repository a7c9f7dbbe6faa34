"""A list's entries as ordinary catalog events, with ids that depend only on what they say
(pure): importing the same file again sends the same events, which ingest takes once.

Each entity (a name, country and address on one list) has an id of its own
(`<source>:<name>-<hash>`, `vendor_id`), and its sanctions ids made from it. `resolution.py`
decides which vendor it is when the entity is read: a vendor already known (joined by an
identifier or by its name and country; then `rehomed` moves its events onto that vendor: no
registration, the sanction imposed on the existing vendor, and `aliases_updated` adds the
names the vendor lacks), or a new vendor under the entity's own id, registered by the first
of its rows in the file (two rows of one name at two addresses are two vendors: nothing is
merged on a guess). Each row is a debarment by the list's authority, from its first day to its
last (or until lifted), with the list's grounds as a ground code and, in their own words, as
the reason (with what the list says of its reach, which no agency or category of ours can
say: `ListEntry.reach`). A newer file of the same list amends a debarment whose last day
changed and lifts one no longer listed (`deltas.py` decides which), on the vendor it was
recorded on.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from services.events.base import EventEnvelope, Payload
from services.events.catalog import ENVELOPES, SCHEMA_VERSION, describe_validation_error
from services.events.sanction import (
    SanctionAmended,
    SanctionImposed,
    SanctionLifted,
)
from services.events.vendor import (
    VendorIdentifierRef,
    VendorKind,
    VendorRegistered,
    VendorRenamed,
    VendorUpdated,
)
from services.imports.entries import ListEntry, ground_code, stated_reason
from services.registry.domain.names import IdentifierKey

# The namespace of imported events' ids (uuid5 of what names them).
NAMESPACE = uuid.UUID("0b9e3c1e-6f63-4f83-9a55-7a2f3f1d1c01")


@dataclass(frozen=True)
class EntryEvents:
    vendor_id: str
    events: tuple[EventEnvelope, ...]  # a registration (first row of the entity), a sanction


def id_key(*parts: object) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).hexdigest()


_WORD = re.compile(r"\w+")
_SLUG_WORD = re.compile(r"[a-z0-9]+")


# An entry's ids are asked for several times on its way to events (its sanction's id holds
# its vendor's): folded once per name.
@functools.lru_cache(maxsize=4096)
def folded(name: str) -> str:
    """The name as entities are told apart: case, width and punctuation set aside."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", name).casefold()))


def vendor_id(entry: ListEntry) -> str:
    name = folded(entry.ids_name or entry.name)
    slug = "-".join(_SLUG_WORD.findall(name.encode("ascii", "ignore").decode()))
    tail = id_key(name, entry.country, folded(entry.address))
    return f"{entry.source}:{slug[:48].strip('-') or 'entity'}-{tail}"


def envelope(entry: ListEntry, vendor: str, name: str, payload: Payload) -> EventEnvelope:
    return ENVELOPES[payload.event_type](
        event_id=uuid.uuid5(NAMESPACE, name),
        event_type=payload.event_type,
        schema_version=SCHEMA_VERSION,
        occurred_at=dt.datetime.combine(entry.starts_on, dt.time(), tzinfo=dt.UTC),
        source=f"import.{entry.source}",
        vendor_id=vendor,
        payload=payload,
    )


def sanction_id(entry: ListEntry) -> str:
    """The same for the same firm's sanction from the same day on the same grounds, whatever
    its last day (a newer list may move it)."""
    return f"{entry.source}:{id_key(vendor_id(entry), entry.starts_on, entry.grounds)}"


def period_fields(last_day: dt.date | None) -> dict[str, object]:
    return {"indefinite": True} if last_day is None else {"ends_on": last_day}


def amendment(
    entry: ListEntry,
    on: dt.date,
    sanction: str,
    vendor: str,
    changes: int,
    override: str | None = None,
) -> EventEnvelope:
    """The entry's sanction given the entry's last day, from `on` (the import's day), on
    `vendor` (the one it was recorded on); `changes`: how many changes the registry records
    on the sanction (`RecordedSanction`); `override`: why the period may depart from a
    policy, for lists whose impositions say so."""
    payload = SanctionAmended.model_validate(
        {
            "sanction_id": sanction,
            "effective_on": max(on, entry.starts_on),  # not before it is decided (in force)
            "reason": f"the {entry.authority} list now gives {entry.last_day or 'no end'}",
            **period_fields(entry.last_day),
            **({"policy_override_reason": override} if override else {}),
        }
    )
    # Named by the sanction as it stands (its changes so far), the import's day and the new
    # last day: the same file sent again before the registry applied it is the same event,
    # taken once, but every amendment that moves the sanction is a new one. Named by the day
    # and last day alone, a third move on one day (to B, back to A, to B again) was the
    # first's name, dropped by ingest as a resend: the report said "1 amended" and the
    # sanction kept A.
    name = f"{sanction}/amended/{on}/{changes}/{entry.last_day or 'indefinite'}"
    return envelope(entry, vendor, name, payload)


def lift_id(sanction: str) -> uuid.UUID:
    """The id of the event that lifts `sanction` for its absence from its list (`lifted`):
    how a later import tells the list's lifts from those made by hand."""
    return uuid.uuid5(NAMESPACE, f"{sanction}/lifted")


def lifted(
    source: str,
    vendor: str,
    sanction: str,
    authority: str,
    on: dt.date,
    starts_on: dt.date | None = None,
) -> EventEnvelope:
    """A sanction an earlier import recorded and the list no longer has, lifted from `on`, or
    from its first day when that is later (the registry refuses a change dated before the
    decision, which an import takes to be that day)."""
    payload = SanctionLifted(
        sanction_id=sanction,
        effective_on=max(on, starts_on or on),
        reason=f"no longer on the {authority} list (import of {on})",
    )
    return ENVELOPES[payload.event_type](
        event_id=lift_id(sanction),
        event_type=payload.event_type,
        schema_version=SCHEMA_VERSION,
        occurred_at=dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC),
        source=f"import.{source}",
        vendor_id=vendor,
        payload=payload,
    )


def known_kind(kind: VendorKind | None) -> dict[str, VendorKind]:
    """A registration's `kind`, given only when the source says it: a registration without
    it is written as registrations were before it existed (LaterFields)."""
    return {"kind": kind} if kind is not None else {}


def entry_events(entry: ListEntry, register: bool, sanction: str | None = None) -> EntryEvents:
    """The events of one entry (its vendor's registration when `register`; `sanction`: its
    sanction's id, by default `sanction_id`, another for one imposed again); raises
    ValueError saying which field when the catalog refuses what the row says."""

    def registration() -> VendorRegistered:
        aliases = list(dict.fromkeys(a for a in entry.aliases if a != entry.name))
        return VendorRegistered.model_validate(
            {"legal_name": entry.name, "aliases": aliases, "country": entry.country}
            | known_kind(entry.vendor_kind)
        )

    terms = {
        "kind": entry.kind,
        "grounds": [ground_code(entry.grounds)],
        "reason": stated_reason(entry),
    }
    return imposition_events(
        entry,
        vendor_id(entry),
        sanction or sanction_id(entry),
        registration if register else None,
        terms,
    )


def imposition_events(
    entry: ListEntry,
    vendor: str,
    sanction: str,
    registration: Callable[[], VendorRegistered] | None,
    terms: Mapping[str, object],
) -> EntryEvents:
    """The vendor's registration (when given) and the entry's sanction, imposed by the list's
    authority from the entry's first day to its last, on `terms` (kind, grounds, scope, …);
    raises ValueError saying which field when the catalog refuses what the entry says."""
    try:
        events = []
        if registration is not None:
            events.append(envelope(entry, vendor, f"{vendor}/registered", registration()))
        imposed = SanctionImposed.model_validate(
            {
                "sanction_id": sanction,
                "authority": entry.authority,
                "decided_on": entry.starts_on,
                "starts_on": entry.starts_on,
                **period_fields(entry.last_day),
                **terms,
            }
        )
        events.append(envelope(entry, vendor, f"{sanction}/imposed", imposed))
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    return EntryEvents(vendor, tuple(events))


def rehomed(events: Sequence[EventEnvelope], vendor: str) -> tuple[EventEnvelope, ...]:
    """An entry's events once it joins `vendor` (or its sanction was recorded on it): about
    that vendor, without the entry's own registration. The ids stay those of the entry."""
    return tuple(
        event if event.vendor_id == vendor else event.model_copy(update={"vendor_id": vendor})
        for event in events
        if event.event_type != VendorRegistered.event_type
    )


def aliases_updated(entry: ListEntry, vendor: str, aliases: Sequence[str]) -> EventEnvelope:
    """`vendor`'s aliases become `aliases` (its own and the names of an entry joining it); the
    id is the vendor's and the set of names', so the same names sent again are taken once.
    Raises ValueError when the catalog refuses a name."""
    try:
        payload = VendorUpdated(aliases=list(aliases))
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    return envelope(entry, vendor, f"{vendor}/aliases/{id_key(*sorted(aliases))}", payload)


def renamed(entry: ListEntry, vendor: str, on: dt.date) -> EventEnvelope:
    """`vendor` takes the name its entry now has on the list as its legal name, from `on`
    (the import's day); its former name keeps matching. The id is the vendor's, the day's and
    the new name's: a name given back (A, B, then A again) is a rename of its own, not the
    first one's resend, which the log would drop. Raises ValueError when the catalog refuses
    the name."""
    try:
        payload = VendorRenamed(new_legal_name=entry.name, effective_on=on)
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    name = f"{vendor}/renamed/{on}/{id_key(folded(entry.name))}"
    return envelope(entry, vendor, name, payload)


def legal_name_corrected(entry: ListEntry, vendor: str) -> EventEnvelope:
    """`vendor`'s legal name, registered as the list's name cell was written (other names
    and all: "A.K.A. X"), corrected to the entry's name: an update, not a rename (the firm's
    name did not change on the import's day); the written one keeps matching as a former
    name. The id is the vendor's and the name's. Raises ValueError when the catalog refuses
    the name."""
    try:
        payload = VendorUpdated(legal_name=entry.name)
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    return envelope(entry, vendor, f"{vendor}/legal/{id_key(folded(entry.name))}", payload)


def kind_learnt(entry: ListEntry, vendor: str, kind: VendorKind) -> EventEnvelope:
    """`vendor`, of a kind not known, is a firm or a person (`kind`) as the entry joining it
    says (the IDB's Entity column of a vendor the World Bank's list registered). The id is the
    vendor's and the kind's: the same file again sends the same event, taken once."""
    return envelope(entry, vendor, f"{vendor}/kind/{kind.value}", VendorUpdated(kind=kind))


def identifiers_updated(
    entry: ListEntry, vendor: str, identifiers: Sequence[IdentifierKey]
) -> EventEnvelope:
    """`vendor`'s identifiers become `identifiers` (its own, as the registry holds them, and
    those of an entry joining it by name); the id is the vendor's and the set's. Raises
    ValueError when the catalog refuses one."""
    try:
        refs = [VendorIdentifierRef(scheme=k.scheme, value=k.value) for k in identifiers]
        payload = VendorUpdated(identifiers=refs)
    except ValidationError as error:
        raise ValueError(describe_validation_error(error)) from None
    keys = sorted(f"{k.scheme}:{k.value}" for k in identifiers)
    return envelope(entry, vendor, f"{vendor}/identifiers/{id_key(*keys)}", payload)
