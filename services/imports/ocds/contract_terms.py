"""A contract's terms as one release of its process gives them (pure): agency, title,
category, days, value, each from the first place that has it (contracts.py says where)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.events.base import SHORT_TEXT_MAX_CHARS, cut
from services.imports.ocds.fields import JSON, day, text
from services.imports.ocds.parties import objects, roles


@dataclass(frozen=True)
class Terms:
    agency: str
    title: str
    category: str
    awarded_on: dt.date | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    amount: Any
    currency: str


def first_text(*values: object) -> str:
    """The first of `values` with text in it ("" when none has)."""
    return next((t for t in map(text, values) if t), "")


def _get(obj: object, *keys: str) -> Any:
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _agency(release: JSON) -> str:
    buyer = release.get("buyer")
    by_id = {text(p.get("id")): p for _, p in objects(release.get("parties"))}
    buyer_party = by_id.get(text(_get(buyer, "id")), {})
    entity = _get(release, "tender", "procuringEntity")
    entity_party = by_id.get(text(_get(entity, "id")), {})
    for _, party in objects(release.get("parties")):
        if "buyer" in roles(party) and not buyer_party:
            buyer_party = party
    return first_text(
        _get(buyer, "name"), buyer_party.get("name"), _get(entity, "name"), entity_party.get("name")
    )


def _category(release: JSON, contract: JSON, award: JSON) -> str:
    main = text(_get(release, "tender", "mainProcurementCategory"))
    if main:
        return main
    for holder in (contract, award, release.get("tender")):
        for _, item in objects(_get(holder, "items")):
            scheme, ident = (
                text(_get(item, "classification", "scheme")),
                text(_get(item, "classification", "id")),
            )
            if ident:
                return f"{scheme}:{ident}" if scheme else ident
    return "unspecified"


def terms_in(release: JSON, contract: JSON, award: JSON) -> Terms:
    """The contract's terms as this release gives them (`award`: the one it names; {} when
    none), each missing one None or empty (`contracts._awarded` refuses what it needs)."""
    period = contract.get("period") if isinstance(contract.get("period"), dict) else None
    period = period or _get(award, "contractPeriod") or {}
    awarded_on = day(contract.get("dateSigned")) or day(award.get("date"))
    starts_on = day(_get(period, "startDate")) or awarded_on
    ends_on = day(_get(period, "endDate"))
    duration = _get(period, "durationInDays")
    if ends_on is None and starts_on is not None and isinstance(duration, int):
        ends_on = starts_on + dt.timedelta(days=duration)
    value = contract.get("value") if _get(contract, "value", "amount") is not None else None
    value = value or award.get("value") or {}
    title = first_text(
        contract.get("title"),
        contract.get("description"),
        award.get("title"),
        award.get("description"),
        _get(release, "tender", "title"),
        _get(release, "tender", "description"),
    )
    return Terms(
        agency=_agency(release),
        title=cut(title, SHORT_TEXT_MAX_CHARS),
        category=_category(release, contract, award)[:300],
        awarded_on=awarded_on or starts_on,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=_get(value, "amount"),
        currency=text(_get(value, "currency")) or text(_get(contract, "value", "currency")),
    )
