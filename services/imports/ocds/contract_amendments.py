"""A contract's changes across the versions of its process (pure): a later release that
moves its end or value is an amendment, dated by the contract's latest `amendments` entry
(else by its release); and what a recorded contract's terms become after a newer file's, as
one amendment (contracts.py: when each applies)."""

from __future__ import annotations

import contextlib
import datetime as dt

from services.events.contract import ContractAmended, ContractAwarded
from services.imports.ocds.contract_terms import Terms, first_text, terms_in
from services.imports.ocds.fields import JSON, day, minor_units, moment, text
from services.imports.ocds.package import Process
from services.imports.ocds.parties import objects
from services.imports.ocds.recorded import RecordedContract


def contract_versions(process: Process, ident: str) -> list[tuple[JSON, JSON, JSON]]:
    """(release, contract, its award) in each version of the process that has the contract."""
    found = []
    for release in process.versions:
        awards = {text(a.get("id")): a for _, a in objects(release.get("awards"))}
        for _, contract in objects(release.get("contracts")):
            if text(contract.get("id")) == ident:
                found.append((release, contract, awards.get(text(contract.get("awardID")), {})))
    return found


def later_amendments(
    later: list[tuple[JSON, JSON, JSON]], record: str, first: ContractAwarded
) -> list[tuple[dt.datetime | None, ContractAmended]]:
    """The later versions' new end or value of the contract, as amendments (a value in
    another currency, or unreadable, is not an amendment the catalog can express)."""
    made: list[tuple[dt.datetime | None, ContractAmended]] = []
    ends_on, amount = first.ends_on, first.amount
    for release, contract, award in later:
        terms = terms_in(release, contract, award)
        new_amount = amount
        if terms.amount is not None and terms.currency == first.currency:
            with contextlib.suppress(ValueError):
                new_amount = minor_units(terms.amount, terms.currency)
        new_end = terms.ends_on or ends_on
        if (new_end, new_amount) == (ends_on, amount):
            continue
        moved_end = new_end if new_end != ends_on else None
        moved_amount = new_amount if new_amount != amount else None
        made.append(_change(release, contract, record, first.starts_on, moved_end, moved_amount))
        ends_on, amount = new_end, new_amount
    return made


def _change(
    release: JSON,
    contract: JSON,
    record: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    amount: int | None,
) -> tuple[dt.datetime | None, ContractAmended]:
    """The amendment a version of the contract makes (only what moved: `ends_on`, `amount`),
    dated by its latest `amendments` entry, else its release."""
    latest = (objects(contract.get("amendments")) or [(0, {})])[-1][1]
    effective = day(latest.get("date")) or day(release.get("date")) or starts_on
    reason = first_text(latest.get("rationale"), latest.get("description")) or (
        f"release {text(release.get('id'))} gives new terms"
    )
    change = ContractAmended(
        contract_id=record, effective_on=effective, ends_on=ends_on, amount=amount, reason=reason
    )
    return moment(release.get("date")), change


def since_recorded(
    known: RecordedContract,
    awarded: ContractAwarded,
    amendments: list[tuple[dt.datetime | None, ContractAmended]],
    last: tuple[JSON, JSON, JSON],
    terms: Terms,
    record: str,
) -> tuple[dt.datetime | None, ContractAmended] | None:
    """What a recorded contract's terms become after the file's (its last version, `last`,
    whose `terms` those are: end and value), as one amendment; None when the file says what
    is recorded. A value in another currency than the recorded one is not an amendment the
    catalog can express."""
    ends_on, amount = awarded.ends_on, awarded.amount
    for _, amended in amendments:
        if amended.ends_on is not None:
            ends_on = amended.ends_on
        if amended.amount is not None:
            amount = amended.amount
    # The last value, when the last version gives one in the recorded currency (whatever the
    # first version's), else the value the versions carried in it.
    if terms.amount is not None and terms.currency == known.currency:
        with contextlib.suppress(ValueError):
            amount = minor_units(terms.amount, terms.currency)
    elif awarded.currency != known.currency:
        amount = known.amount
    new_end = ends_on if ends_on != known.ends_on else None
    new_amount = amount if amount != known.amount else None
    if new_end is None and new_amount is None:
        return None
    release, contract, _ = last
    return _change(release, contract, record, awarded.starts_on, new_end, new_amount)
