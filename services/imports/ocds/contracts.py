"""A contracting process's contracts as catalog events (pure), every award and contract
accounted for.

**Contracts.** Each entry of `contracts` becomes a `contract.awarded` for each supplier of
the award its `awardID` names (a joint award: one contract record per supplier, each with the
contract's whole value, id `…:<n>` after the first); contract id `ocds:<ocid>:<contract id>`.
- agency: `buyer.name` (else the buyer party's name, else `tender.procuringEntity`'s);
- title: the contract's `title`, else its `description`, else the award's, else the tender's;
- category: `tender.mainProcurementCategory` (goods, works, services), else the first item's
  classification as `<scheme>:<id>`, else "unspecified";
- criticality: `internal` (`CRITICALITY`): OCDS does not say how much harm an interruption
  does;
- awarded_on: `dateSigned`, else the award's `date`, else the first day of the term;
- term: the contract's `period`, else the award's `contractPeriod`; no start: the award day;
  no end: start + `durationInDays`; neither: refused. Days as the publisher wrote them;
- amount and currency: the contract's `value`, else the award's (in the currency's smallest
  unit; never defaulted: no currency is refused).
A contract whose status is `terminated` is then `contract.terminated` on the last day of its
term (reason `other`: OCDS's "terminated" is a contract that has come to a close, at term or
early). A `cancelled` one (never signed) and an award without a contract are not imported
(accounted for, with the reason). When a process comes as several releases, a later release
that moves a contract's end or value is a `contract.amended` from the date of the contract's
latest `amendments` entry (else of that release), with its rationale as the reason; a single
release or compiled release gives only the current terms, its `amendments` already in them.

**A contract recorded already** (by an earlier import: `RecordedContract`, the registry's
current terms) is not awarded again: a newer file that gives it another end or value (a
publisher's update of the process) is one `contract.amended` from the recorded terms to the
file's last ones, dated as above, and nothing when they are the same (a value in another
currency than the recorded one is not amended: the catalog cannot say it). One recorded
under another vendor than the file names is refused; a recorded termination stays as
recorded, the file's new terms not applied.

The terms are read by contract_terms.py, the amendments made by contract_amendments.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pydantic import ValidationError

from services.events.base import EventEnvelope
from services.events.catalog import describe_validation_error
from services.events.contract import (
    ContractAwarded,
    ContractTerminated,
    Criticality,
    TerminationReason,
)
from services.imports.ocds.contract_amendments import (
    contract_versions,
    later_amendments,
    since_recorded,
)
from services.imports.ocds.contract_terms import Terms, terms_in
from services.imports.ocds.fields import JSON, minor_units, moment, text
from services.imports.ocds.outcomes import Accounted, Outcome, Tally, envelope
from services.imports.ocds.package import Process
from services.imports.ocds.parties import objects, safe_id
from services.imports.ocds.recorded import Recorded

CRITICALITY = Criticality.INTERNAL


def contract_id(ocid: str, contract: object) -> str:
    return safe_id(f"ocds:{ocid}:{text(contract)}")


def _awarded(terms: Terms, contract: str) -> ContractAwarded:
    missing = [
        name
        for name, value in (
            ("agency (buyer, procuringEntity)", terms.agency),
            ("title", terms.title),
            ("period.startDate (or dateSigned, award date)", terms.starts_on),
            ("period.endDate (or durationInDays)", terms.ends_on),
            ("value.amount", terms.amount),
            ("value.currency", terms.currency),
        )
        if value in (None, "")
    ]
    if missing:
        raise ValueError(f"no {', '.join(missing)} in the contract or its award")
    amount = minor_units(terms.amount, terms.currency)  # ValueError naming its field
    try:
        return ContractAwarded.model_validate(
            {
                "contract_id": contract,
                "agency": terms.agency,
                "title": terms.title,
                "category": terms.category,
                "criticality": CRITICALITY,
                "awarded_on": terms.awarded_on,
                "starts_on": terms.starts_on,
                "ends_on": terms.ends_on,
                "amount": amount,
                "currency": terms.currency,
            }
        )
    except ValidationError as error:
        # The term's check is the model's own: "event: ends_on: … is before …".
        reason = describe_validation_error(error).replace("event: ", "period: ")
        raise ValueError(reason) from None


def contract_events(
    process: Process,
    of_party: dict[str, str],
    published: dt.datetime | None,
    tally: Tally,
    recorded: Recorded,
) -> Iterator[EventEnvelope]:
    """The process's contract events (`of_party`: its vendor parties' ids → vendor ids;
    `recorded`: the registry's records of contracts), what became of each contract and award
    told to `tally`."""
    release = process.release
    awards = {text(a.get("id")): (n, a) for n, a in objects(release.get("awards"))}
    contracted: dict[str, list[tuple[Outcome, str]]] = {}
    for n, contract in objects(release.get("contracts")):
        path = f"{process.where}.contracts[{n}]"
        award_id = text(contract.get("awardID"))
        outcome, reason, events = _contract(
            process, contract, awards, of_party, published, recorded
        )
        yield from events
        tally.account(Accounted("contract", process.ocid, path, outcome, reason))
        if award_id in awards:
            contracted.setdefault(award_id, []).append((outcome, f"contracts[{n}]"))
    for award_id, (n, award) in awards.items():
        path = f"{process.where}.awards[{n}]"
        if award_id in contracted:
            # An award is applied by its contracts: unchanged, refused or not imported when
            # they all are.
            outcomes = contracted[award_id]
            outcome = min((o for o, _ in outcomes), key=list(Outcome).index)
            paths = ", ".join(where for _, where in outcomes)
            why = (
                ""
                if outcome in (Outcome.APPLIED, Outcome.UNCHANGED)
                else f"{outcome.value} with {paths}"
            )
            tally.account(Accounted("award", process.ocid, path, outcome, why))
        else:
            status = text(award.get("status")) or "not given"
            why = f"no contract for it in the release (award status {status})"
            tally.account(Accounted("award", process.ocid, path, Outcome.NOT_IMPORTED, why))


def _contract(
    process: Process,
    contract: JSON,
    awards: dict[str, tuple[int, JSON]],
    of_party: dict[str, str],
    published: dt.datetime | None,
    recorded: Recorded,
) -> tuple[Outcome, str, list[EventEnvelope]]:
    """What became of a contract, and its events."""
    release = process.release
    status = text(contract.get("status"))
    if status == "cancelled":
        return Outcome.NOT_IMPORTED, "status cancelled: never signed, never in force", []
    award_id = text(contract.get("awardID"))
    if award_id not in awards:
        return Outcome.REFUSED, f"awardID: {award_id!r} names no award of the release", []
    n, award = awards[award_id]
    suppliers = [text(s.get("id")) for _, s in objects(award.get("suppliers"))]
    if not suppliers:
        return Outcome.REFUSED, f"awards[{n}].suppliers: none, so no vendor", []
    vendors = []
    for supplier in suppliers:
        if supplier not in of_party:
            why = (
                f"awards[{n}].suppliers: {supplier!r} is not a vendor party of the release"
                " (missing, or refused above)"
            )
            return Outcome.REFUSED, why, []
        vendors.append(of_party[supplier])
    ident = text(contract.get("id"))
    base = contract_id(process.ocid, ident)
    # The award as the first release that says enough of it (a contract release may come
    # before the one giving its value); later releases' changes are amendments.
    versions = contract_versions(process, ident)
    for k, (first_release, first_contract, first_award) in enumerate(versions):
        try:
            awarded = _awarded(terms_in(first_release, first_contract, first_award), base)
            break
        except ValueError as error:
            if k == len(versions) - 1:
                return Outcome.REFUSED, str(error), []
    at = moment(first_release.get("date")) or published or _midnight(awarded.awarded_on)
    amendments = later_amendments(versions[k + 1 :], base, awarded)
    last_terms = terms_in(*versions[-1])  # what the file says last: each record is held to it
    events: list[EventEnvelope] = []
    held_back: list[str] = []  # the file's new terms not applied: terminated, or older
    for k, vendor in enumerate(dict.fromkeys(vendors)):
        record = base if k == 0 else safe_id(f"{base}:{k + 1}")
        known = recorded(record)
        if known is not None and known.vendor_id != vendor:
            # Amended under another vendor, the registry would refuse it while migration and
            # risk, which key contracts by id, applied it.
            why = f"{record} is recorded under vendor {known.vendor_id}; the file names {vendor}"
            return Outcome.REFUSED, why, []
        if known is None:
            payload = awarded.model_copy(update={"contract_id": record})
            events.append(envelope(f"{record}/awarded", at, vendor, payload))
            for when, amended in amendments:
                change = amended.model_copy(update={"contract_id": record})
                name = f"{record}/amended/{change.effective_on}/{change.ends_on}/{change.amount}"
                events.append(envelope(name, when or at, vendor, change))
        elif (stated := moment(versions[-1][0].get("date")) or published) is not None and (
            stated < known.terms_as_of
        ):
            # The file says what was so before the record's terms were stated (an older file
            # read after a newer one): it would move an extension back, or end a contract
            # the record says runs on. A file that dates nothing cannot be told older.
            changes = since_recorded(known, awarded, amendments, versions[-1], last_terms, record)
            other = _other_money(record, known.currency, last_terms)
            if changes or other or (status == "terminated" and not known.terminated):
                held_back.append(
                    f"{record}'s recorded terms were stated at {known.terms_as_of.isoformat()},"
                    f" after this file's at {stated.isoformat()}: the record stands, its terms"
                    " and whether it runs"
                )
            continue
        elif since := since_recorded(known, awarded, amendments, versions[-1], last_terms, record):
            if known.terminated:
                held_back.append(f"{record} is terminated on record: its new terms are not applied")
                continue  # its value's currency included
            when, change = since
            # Named by the publication it comes from: another file may move the terms back,
            # and a third forward again, each an amendment of its own.
            latest = versions[-1][0]
            source = f"{text(latest.get('id'))}/{text(latest.get('date'))}"
            name = f"{record}/amended-since/{source}/{change.ends_on}/{change.amount}"
            events.append(envelope(name, when or at, vendor, change))
        kept_in = awarded.currency if known is None else known.currency
        if other := _other_money(record, kept_in, last_terms):
            held_back.append(other)
        if status == "terminated" and not (known is not None and known.terminated):
            last = terms_in(release, contract, awards[award_id][1]).ends_on or awarded.ends_on
            ended = ContractTerminated(
                contract_id=record,
                terminated_on=last,
                reason=TerminationReason.OTHER,
                note="OCDS contract status 'terminated': it has come to a close"
                " (at term or early; the release does not say which)",
            )
            when = moment(release.get("date")) or at
            events.append(envelope(f"{record}/terminated", when, vendor, ended))
    if held_back and not events:
        return Outcome.NOT_IMPORTED, "; ".join(held_back), []
    if not events:  # every record known, and as the file says
        return Outcome.UNCHANGED, "", []
    return Outcome.APPLIED, "; ".join(held_back), events


def _other_money(record: str, currency: str, terms: Terms) -> str | None:
    """Why the file's last value of the contract (in its last version's `terms`) is not
    applied (None: it is, or says nothing): given in another currency than the one it is kept
    in (as recorded, or as first awarded), which no amendment can say."""
    if terms.amount is None or not terms.currency or terms.currency == currency:
        return None
    return (
        f"{record}'s value is kept in {currency}: this file gives it in {terms.currency}, and"
        " a contract's value is amended in its own currency only"
    )


def _midnight(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)
