"""Whether the days an incident's or a claim's events, or a rename, give could be true (pure).

The risk service counts an incident from the day it occurred, an investigation's findings
from the day they were established, a closing from its day, a claim from its filing: a day
that cannot be true moves a vendor's score on a day nothing happened. The registry refuses,
in its handlers (records.py) and its batches (batch/rules.py) alike, for events recorded
from the later rules on (later_rules):

- a day that had not yet begun anywhere on Earth when the log recorded the event (an
  incident "reported" next year: later_rules.future_day);
- an investigation or a closing dated before the incident occurred;
- a claim for an incident, filed before the incident occurred.

A rename dated ahead is refused too (from the rules of 2026-12-05: the handler's): the record
holds one legal name, the current one, so a rename on a day to come made the new name current
at once and listed the name still held as a former one. It is recorded on its day.
So is an award dated ahead (from the rules of 2026-12-07: records.contract_awarded, the
batch's fold): the award is a decision taken, recorded once it is; its term may start on a
day to come (`starts_on`, `ends_on` are not held to this). So is a termination dated ahead
(from the same rules: records.contract_terminated): recorded, the contract was terminated at
once, and every later change of it refused as terminated already.

A sanction's decision dated ahead is the receipt's alone (`future_check`): a person records a
decision taken, but the imports date an entry's decision on its first day (a list's
suspension, or the exclusions export's sanction, to come), so the registry does not refuse it.

The events' own checks (an incident reported before it occurred, a settlement before its
filing) are in the catalog and reference_rules.
"""

from __future__ import annotations

import datetime as dt

from services.events.base import EventEnvelope, Payload
from services.events.catalog import Problem
from services.events.contract import ContractAwarded, ContractTerminated
from services.events.incident import IncidentClosed, IncidentInvestigated, IncidentReported
from services.events.sanction import ClaimFiled, ClaimSettled, SanctionImposed
from services.events.vendor import VendorRenamed
from services.platform.eventstore.later_rules import future_day

# The field holding the day of the fact each event states: an incident's or a claim's step,
# a rename, an award, a termination, an imposition (an award's term, or a sanction's, may start
# later: only the day it was awarded, or decided, is past).
_FACT_DAYS: dict[type[Payload], str] = {
    IncidentReported: "reported_on",
    IncidentInvestigated: "investigated_on",
    IncidentClosed: "closed_on",
    ClaimFiled: "filed_on",
    ClaimSettled: "settled_on",
    VendorRenamed: "effective_on",
    ContractAwarded: "awarded_on",
    ContractTerminated: "terminated_on",
    SanctionImposed: "decided_on",
}


def _fact_day(event: EventEnvelope) -> tuple[str, dt.date] | None:
    """The field and day of the fact the event states, if it states one (`_FACT_DAYS`)."""
    field = _FACT_DAYS.get(type(event.payload))
    return None if field is None else (field, getattr(event.payload, field))


def future_refusal(event: EventEnvelope, recorded_at: dt.datetime) -> str | None:
    """Why the registry refuses an incident's or a claim's event, recorded by the log at
    `recorded_at`, for a day that had not begun anywhere by then; None otherwise."""
    fact = _fact_day(event)
    if fact is None:
        return None
    field, day = fact
    message = future_day(day, recorded_at)
    return None if message is None else f"payload.{field}: {message}"


def future_check(event: EventEnvelope) -> Problem | None:
    """The API's check of an event a person records: a day still to come now is refused in
    the receipt, as the registry would refuse the event, not accepted there and dead-lettered
    after; any other event passes. (The days an event is judged against records, such as
    the incident's, are the registry's to check when it applies the event.)"""
    fact = _fact_day(event)
    if fact is None or (message := future_day(fact[1], dt.datetime.now(dt.UTC))) is None:
        return None
    return Problem(f"payload.{fact[0]}", message, "in_the_future")


def step_refusal(event: EventEnvelope, occurred_on: dt.date) -> str | None:
    """Why an investigation or a closing of an incident that occurred on `occurred_on` is
    refused for its day; None when it is not dated before then."""
    fact = _fact_day(event)
    if fact is None:
        return None
    field, day = fact
    if day < occurred_on:
        return f"payload.{field}: {day} is before the incident occurred, on {occurred_on}"
    return None


def claim_refusal(filed_on: dt.date, incident_id: str, occurred_on: dt.date) -> str | None:
    """Why a claim for an incident that occurred on `occurred_on` is refused for its filing
    day; None when it is not filed before then."""
    if filed_on < occurred_on:
        return (
            f"payload.filed_on: {filed_on} is before incident {incident_id!r} occurred,"
            f" on {occurred_on}"
        )
    return None
