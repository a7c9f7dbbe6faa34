"""Registry handlers: vendor and sanction events → registry state.

Each runs in its own savepoint of the batch's transaction (platform/consuming/consumer.py); a
`DomainRejection` says, field by field, why an event cannot be applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import cast

from services.events.base import EventEnvelope
from services.events.catalog import INPUT_TYPES
from services.events.imports import ImportCandidatesListed, ImportReported
from services.events.match_review import MatchDecision, VendorMatchReviewed
from services.events.sanction import SanctionAmended, SanctionImposed, SanctionLifted
from services.events.vendor import (
    VendorAffiliationChanged,
    VendorRegistered,
    VendorRenamed,
    VendorUpdated,
)
from services.platform.clock import Clock
from services.platform.consuming.consumer import Consumer, DomainRejection, Handler
from services.platform.eventstore.event_store import VERDICT_FROM
from services.platform.eventstore.later_rules import (
    judged_by_fourth_rules,
    judged_by_second_rules,
)
from services.platform.eventstore.recorded_time import recorded_time
from services.platform.postgres.database import Connection
from services.registry import announcements
from services.registry.batch.handler import RegistryBatch
from services.registry.bidder_screening.reviews import key as review_key
from services.registry.domain.affiliation_rules import affiliation_refusal, own_affiliate_refusal
from services.registry.domain.former_name_limits import last_used
from services.registry.domain.imposition_rules import change_refusal, imposition_refusal
from services.registry.domain.known_vendors import unknown_vendor
from services.registry.domain.names import IdentifierKey, normalize_identifier
from services.registry.domain.policy import SuspensionPolicy
from services.registry.domain.record_dates import future_refusal
from services.registry.domain.record_ids import identifiers_taken_refusal, registered_refusal
from services.registry.domain.refusals import reason
from services.registry.domain.rename_rules import (
    NamesOnRecord,
    rename_changes,
    rename_refusal,
    replaced_names,
)
from services.registry.records import RecordHandlers
from services.registry.storage import (
    affiliation_links,
    former_identifiers,
    match_review_repository,
    sanction_repository,
    vendor_names,
    vendor_repository,
)
from services.registry.storage.import_candidates import candidates_listed
from services.registry.storage.import_reports import import_reported
from services.registry.storage.named_records import vendor_known
from services.registry.storage.vendor_repository import VendorRow

# The registry judges every input event (platform/eventstore/event_store.py, VERDICT_FROM).
CONSUMER_NAME = VERDICT_FROM


async def _refuse_clashes(
    conn: Connection,
    vendor_id: str,
    identifiers: tuple[IdentifierKey, ...],
    field: str = "payload.identifiers",
) -> None:
    owners = await vendor_repository.identifier_owners(conn, identifiers)
    clashes = {i: owner for i, owner in owners.items() if owner != vendor_id}
    if clashes:
        DomainRejection.if_any(reason(identifiers_taken_refusal(field, clashes)))


def _unknown(vendor_id: str) -> DomainRejection:
    return DomainRejection(unknown_vendor(vendor_id))


async def _require_vendor(conn: Connection, vendor_id: str) -> VendorRow:
    vendor = await vendor_repository.fetch_vendor(conn, vendor_id)
    if vendor is None:
        raise _unknown(vendor_id)
    return vendor


async def _require_registered(conn: Connection, vendor_id: str) -> None:
    """Like `_require_vendor` in one query instead of three, when the row is not needed."""
    if not await vendor_repository.vendor_exists(conn, vendor_id):
        raise _unknown(vendor_id)


@dataclass(frozen=True)
class RegistryHandlers:
    """`announce=False` (a rebuild) records everything as live processing did but says
    nothing: no vendor.eligibility_changed. Decisions are dated when the log recorded their
    event, never by the wall clock, so that a rebuild dates them alike."""

    clock: Clock
    policies: Mapping[str, SuspensionPolicy]
    announce: bool = True

    async def _announce(self, conn: Connection, event: EventEnvelope, *vendor_ids: str) -> None:
        """After a change to what bars these vendors (or their affiliates): re-evaluates them
        for the day the event was recorded and announces what changed, and lists them all in
        the change feed, since a screening for another date may now answer differently."""
        events = await vendor_repository.affiliation_events(conn, vendor_ids, None)
        touched = set(vendor_ids)
        touched |= {e.vendor_id for e in events} | {e.related_vendor_id for e in events}
        now = await recorded_time(conn, event, self.clock)
        announced = await announcements.reconcile(
            conn, sorted(touched), now, announce=self.announce
        )
        await announcements.record_changes(conn, touched - set(announced), "eligibility", now)

    async def _identity_changed(self, conn: Connection, event: EventEnvelope) -> dt.datetime:
        """Lists the vendor in the change feed; returns when the event was recorded."""
        now = await recorded_time(conn, event, self.clock)
        await announcements.record_changes(conn, [event.vendor_id], "identity", now)
        return now

    async def vendor_registered(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(VendorRegistered, event.payload)
        if await vendor_repository.vendor_exists(conn, event.vendor_id):
            DomainRejection.if_any(reason(registered_refusal(event.vendor_id)))
        vendor = VendorRow.registered(event.vendor_id, payload)
        await _refuse_clashes(conn, event.vendor_id, vendor.identifiers)
        await vendor_repository.insert_vendor(conn, vendor, event.event_id)
        now = await self._identity_changed(conn, event)
        # Nothing can bar a vendor unknown until now: it starts out eligible.
        await announcements.start_as_eligible(conn, [(event.vendor_id, now)])

    async def vendor_updated(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(VendorUpdated, event.payload)
        vendor = await _require_vendor(conn, event.vendor_id)
        changes = payload.changes()
        # A name it replaces or clears keeps matching, as a rename's does: a barred firm's
        # old name must not leave screening by an update. The update gives no day.
        held = NamesOnRecord(vendor.legal_name, vendor.name_kana, vendor.name_en)
        await vendor_names.add_former_names(
            conn, vendor.vendor_id, replaced_names(held, changes), None
        )
        now = await self._identity_changed(conn, event)
        if payload.identifiers is not None:
            identifiers = vendor_repository.normalized_identifiers(payload.identifiers)
            await _refuse_clashes(conn, event.vendor_id, identifiers)
            await vendor_repository.replace_identifiers(conn, event.vendor_id, identifiers)
            # Those it replaces keep finding the vendor, as its replaced names do: a barred
            # firm must not screen as unknown by the number it had (former_identifiers).
            await former_identifiers.record_replaced(
                conn, vendor.vendor_id, vendor.identifiers, identifiers, now, event.event_id
            )
        updated = VendorRow(
            vendor_id=vendor.vendor_id,
            legal_name=changes.get("legal_name", vendor.legal_name),
            name_kana=changes.get("name_kana", vendor.name_kana),
            name_en=changes.get("name_en", vendor.name_en),
            country=changes.get("country", vendor.country),
            aliases=tuple(changes.get("aliases", vendor.aliases)),
            identifiers=vendor.identifiers,
            kind=changes.get("kind", vendor.kind),
        )
        await vendor_repository.update_vendor(conn, updated, now)

    async def vendor_renamed(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(VendorRenamed, event.payload)
        vendor = await _require_vendor(conn, event.vendor_id)
        # The record holds one legal name, the current one: a rename dated ahead made the new
        # name current at once, and the name still held a former one.
        recorded = await recorded_time(conn, event, self.clock)
        if judged_by_second_rules(recorded):
            DomainRejection.if_any(future_refusal(event, recorded))
        # Renames in the order they took effect, each changing something (rename_rules).
        held = await vendor_names.names_on_record(conn, vendor.vendor_id)
        assert held is not None  # _require_vendor found it, in this transaction
        DomainRejection.if_any(reason(rename_refusal(vendor.vendor_id, payload, held, recorded)))
        # The old names keep matching: searches by a former name still find the vendor (the
        # old name's reading and English name among them, when the legal name changes, from
        # the rules of 2026-12-08 on).
        changes = rename_changes(payload, held, recorded)
        replaced = replaced_names(held, changes)
        await vendor_names.add_former_names(conn, vendor.vendor_id, replaced, last_used(payload))
        await vendor_names.record_rename(
            conn, vendor.vendor_id, payload.effective_on, payload.new_legal_name
        )
        renamed = VendorRow(
            vendor_id=vendor.vendor_id,
            legal_name=payload.new_legal_name,
            name_kana=changes.get("name_kana", vendor.name_kana),
            name_en=changes.get("name_en", vendor.name_en),
            country=vendor.country,
            aliases=vendor.aliases,
            identifiers=vendor.identifiers,
            kind=vendor.kind,
        )
        await vendor_repository.update_vendor(
            conn, renamed, await self._identity_changed(conn, event)
        )

    async def affiliation_changed(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(VendorAffiliationChanged, event.payload)
        DomainRejection.if_any(reason(own_affiliate_refusal(event.vendor_id, payload)))
        await _require_registered(conn, event.vendor_id)
        # The related vendor need not be registered yet, only logged by then: in distributed
        # mode its registration travels in another partition and may well arrive after this.
        recorded = await recorded_time(conn, event, self.clock)
        if judged_by_fourth_rules(recorded):
            known = await vendor_known(conn, payload.related_vendor_id, recorded)
            pair = await affiliation_links.pair_links(conn, event, recorded)
            refusal = affiliation_refusal(event.vendor_id, payload, known, pair)
            DomainRejection.if_any(reason(refusal))
        await vendor_repository.insert_affiliation_change(
            conn,
            event.vendor_id,
            payload.related_vendor_id,
            payload.relation.value,
            payload.change,
            payload.effective_on,
            event.event_id,
        )
        await self._announce(conn, event, event.vendor_id, payload.related_vendor_id)

    async def sanction_imposed(self, conn: Connection, event: EventEnvelope) -> None:
        payload = cast(SanctionImposed, event.payload)
        registered = await vendor_repository.vendor_exists(conn, event.vendor_id)
        taken = registered and await sanction_repository.sanction_taken(conn, payload.sanction_id)
        recorded = await recorded_time(conn, event, self.clock)
        DomainRejection.if_any(
            imposition_refusal(
                self.policies,
                event.vendor_id,
                payload,
                recorded,
                registered=registered,
                taken=taken,
            )
        )
        await sanction_repository.insert_sanction(conn, event.vendor_id, payload, event.event_id)
        await self._announce(conn, event, event.vendor_id)

    async def sanction_changed(self, conn: Connection, event: EventEnvelope) -> None:
        """An amendment, or an early lift."""
        payload = cast(SanctionAmended | SanctionLifted, event.payload)
        sanction = await sanction_repository.sanction_header(conn, payload.sanction_id)
        recorded = await recorded_time(conn, event, self.clock)
        DomainRejection.if_any(
            change_refusal(self.policies, event.vendor_id, payload, sanction, recorded)
        )
        await sanction_repository.insert_change(
            conn,
            payload.sanction_id,
            payload.effective_on,
            payload.reason,
            event.event_id,
            amendment=payload if isinstance(payload, SanctionAmended) else None,
        )
        await self._announce(conn, event, event.vendor_id)

    async def match_reviewed(self, conn: Connection, event: EventEnvelope) -> None:
        """An officer's decision on a possible match: stored for later screenings; a
        confirmation also gives the vendor the bidder's name and identifier (one event, one
        verdict: the decision and what it adds are accepted or refused together)."""
        payload = cast(VendorMatchReviewed, event.payload)
        if event.recorded_by is None:
            raise DomainRejection(
                "recorded_by: a review decision must say who made it; record it through the"
                " API (reviewMatch), which takes that from the caller's token"
            )
        vendor = await _require_vendor(conn, event.vendor_id)
        given = payload.bidder_identifier
        identifier = normalize_identifier(given.scheme, given.value) if given else None
        gave_identity = payload.decision is MatchDecision.CONFIRMED and await self._confirm(
            conn, event, vendor, payload.bidder_name, identifier
        )
        await match_review_repository.insert_review(
            conn,
            event.event_id,
            event.vendor_id,
            payload,
            identifier,
            (event.recorded_by.subject, event.recorded_by.role),
            gave_identity=gave_identity,
        )

    async def _confirm(
        self,
        conn: Connection,
        event: EventEnvelope,
        vendor: VendorRow,
        name: str,
        identifier: IdentifierKey | None,
    ) -> bool:
        """The bidder is this vendor: its name becomes an alias (unless one of the vendor's
        names already compares equal to it), its identifier one of the vendor's. Whether that
        gave the vendor a new name or identifier."""
        known = {review_key(n, None).name for _, n in vendor.current_names()}
        aliases = vendor.aliases
        if review_key(name, None).name not in known:
            aliases = (*aliases, name)
        identifiers = vendor.identifiers
        if identifier is not None and identifier not in identifiers:
            await _refuse_clashes(
                conn, vendor.vendor_id, (identifier,), "payload.bidder_identifier"
            )
            identifiers = (*identifiers, identifier)
            await vendor_repository.replace_identifiers(conn, vendor.vendor_id, identifiers)
        if (aliases, identifiers) == (vendor.aliases, vendor.identifiers):
            return False
        confirmed = replace(vendor, aliases=aliases, identifiers=identifiers)
        await vendor_repository.update_vendor(
            conn, confirmed, await self._identity_changed(conn, event)
        )
        return True

    def by_event_type(self) -> dict[str, Handler]:
        return {
            VendorRegistered.event_type: self.vendor_registered,
            VendorUpdated.event_type: self.vendor_updated,
            VendorRenamed.event_type: self.vendor_renamed,
            VendorAffiliationChanged.event_type: self.affiliation_changed,
            VendorMatchReviewed.event_type: self.match_reviewed,
            SanctionImposed.event_type: self.sanction_imposed,
            SanctionAmended.event_type: self.sanction_changed,
            SanctionLifted.event_type: self.sanction_changed,
        }


def registry_consumer(
    clock: Clock, policies: Mapping[str, SuspensionPolicy], *, announce: bool = True
) -> Consumer:
    owned = RegistryHandlers(clock, policies, announce).by_event_type()
    owned |= RecordHandlers(clock).by_event_type()
    owned[ImportReported.event_type] = import_reported
    owned[ImportCandidatesListed.event_type] = candidates_listed
    # The registry judges every input event; those it has no rule for (system owners'
    # migration events) pass, and its ledger says so: a judged event is one with a row.
    passed: dict[str, Handler] = {t: _passes for t in INPUT_TYPES if t not in owned}
    handlers = owned | passed
    batch = RegistryBatch(clock, policies, handlers, announce)
    # Its verdicts depend on the order it judges in (an identifier another vendor holds is
    # refused), across partitions too: it records that order, which a rebuild follows.
    return Consumer(CONSUMER_NAME, handlers, apply_all=batch.apply_all, records_order=True)


async def _passes(_conn: Connection, _event: EventEnvelope) -> None:
    """Accepted: nothing in the registry's rules bears on it."""
