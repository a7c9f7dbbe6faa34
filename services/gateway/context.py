"""The request context of the whole API: the platform's parts, plus each service's own under
the key that service declared (services/platform/graphql/context.py says why keys)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from services.events.catalog import EVENT_TYPES
from services.events.text_fields import text_check
from services.ingest.admission import api_type_check
from services.platform.consuming.consumer import Consumer
from services.platform.eventlog.base import EventLog
from services.platform.graphql.broadcast import Broadcaster
from services.platform.graphql.context import RequestContext
from services.platform.settings import Settings
from services.registry.api.graphql_context import KEYED_LOOKUPS, NAME_INDEX, POLICIES
from services.registry.domain.affiliation_rules import own_affiliate_check
from services.registry.domain.alias_counts import alias_count_check
from services.registry.domain.countries import country_check
from services.registry.domain.currencies import currency_check
from services.registry.domain.imposition_rules import imposition_check
from services.registry.domain.policy import SuspensionPolicy
from services.registry.domain.record_dates import future_check
from services.registry.name_search.name_index_feed import LiveNameIndex
from services.registry.reads.affiliation_changes import affiliation_check
from services.registry.reads.contract_changes import contract_check
from services.registry.reads.former_name_counts import former_name_check
from services.registry.reads.identity_claims import IDENTITY_CLAIM, identity_check
from services.registry.reads.known_vendors import known_vendor_check
from services.registry.reads.record_changes import record_check
from services.registry.reads.record_ids import taken_check
from services.registry.reads.record_references import reference_check
from services.registry.reads.record_scope import events_out_of_view
from services.registry.reads.rename_changes import rename_check
from services.registry.reads.sanction_changes import change_check
from services.registry.reads.unknown_records import unknown_record_check
from services.registry.reads.unsettled_refusals import settled_only
from services.registry.storage.vendor_repository import existing_vendors
from services.risk.evidence_scope import HIDDEN_EVIDENCE
from services.risk.graphql_objects import REGISTERED, RISK
from services.risk.handlers import RiskService


def handled_by(consumers: Sequence[Consumer]) -> dict[str, tuple[str, ...]]:
    """Event type → the services that apply it (what "processed" waits for)."""
    return {t: tuple(c.name for c in consumers if t in c.handlers) for t in EVENT_TYPES}


def request_context(
    pool: asyncpg.Pool,
    event_log: EventLog,
    settings: Settings,
    policies: Mapping[str, SuspensionPolicy],
    broadcaster: Broadcaster,
    risk: RiskService,
    handlers: Mapping[str, tuple[str, ...]],
    keyed_lookups: asyncpg.Pool,
) -> RequestContext:
    """The context shared by every request (the app adds who is asking, per request);
    `keyed_lookups`: the pool of the registry's single checks (`database.keyed_lookups_pool`)."""
    stored = event_log.stored_on_submit
    return RequestContext(
        pool,
        event_log,
        settings,
        broadcaster,
        handled_by=handlers,
        type_checks=(api_type_check,),
        checks=(
            imposition_check(policies),
            future_check,
            own_affiliate_check,
            country_check,
            currency_check,
            alias_count_check,
            text_check,
        ),
        # The checks that refuse for what the log does not hold (a vendor nobody registered,
        # a relation that does not stand, a sanction, a contract or an incident the vendor
        # does not have) only where what a client sent a moment before is in the store by
        # then: on Kafka a registration sent just before may still be on its way to ingest,
        # and refusing its vendor's next event would refuse what the registry accepts. The
        # registry judges those there, as it judges all that `publish` sends.
        reading_checks=(
            *((known_vendor_check,) if stored else ()),
            settled_only(change_check(policies), stored_on_submit=stored),
            settled_only(contract_check, stored_on_submit=stored),
            record_check,
            reference_check,
            settled_only(rename_check, stored_on_submit=stored),
            former_name_check,
            taken_check,
            *((affiliation_check, unknown_record_check) if stored else (identity_check,)),
        ),
        # A vendor id or an identifier a registration or an update claims: where the log
        # stores it on submit, judged against the log's events still to be judged too, two
        # receipts claiming one taking turns through the append (registry/reads/identity_claims).
        claim_checks=(IDENTITY_CLAIM,) if stored else (),
        # One name index per process: built on first use, then kept up to date by the feed.
        parts=(
            POLICIES.given(policies),
            RISK.given(risk),
            REGISTERED.given(existing_vendors),  # REGISTERED says why risk asks the registry
            HIDDEN_EVIDENCE.given(events_out_of_view),  # as REGISTERED: records' agencies
            NAME_INDEX.given(LiveNameIndex()),
            KEYED_LOOKUPS.given(keyed_lookups),
        ),
    )
