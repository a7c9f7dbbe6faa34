"""VendorWatch's own exclusions export (`vendorwatch export exclusions --format json`) read
back as a list (pure): `vendorwatch import exclusions FILE` gives another registry (or this
one, rebuilt) the same eligibility answers for the exported vendors.

Each line of the export is a barred vendor; each of its reasons (and each of its `upcoming`
sanctions, which bar it later) becomes an `ExportedEntry`, read by the importer like any
list's entry (`services/cli/importing.py`: deltas, entity resolution, deterministic ids).
Everything the export writes that bears on eligibility is kept:

- the vendor: its legal name, kana and English names, aliases (former names become aliases:
  the export gives no dates for them, and they keep matching in searches), country, kind
  (firm or individual, when known) and identifiers in every scheme; it is
  `exclusions:<exported vendorId>` unless it joins a known vendor (by identifier, or by name
  and country: `resolution.py`);
- each reason: a sanction `exclusions:<exported sanctionId>` (`.<key>` of its scope after it,
  when it has one; `:from-<day>` after that for a bar of a sanction after a gap in it, from
  that bar's first day, which the export marks `resumed`) of its kind, by its authority,
  from its first day to its last (or indefinite), with its grounds (ground codes) and reason
  text, its agencies and categories (None: every one) and whether it covers affiliates
  (`coversAffiliates`: it then bars the affiliates the importing registry knows). A
  newer export of the same registry amends a sanction whose last day moved and lifts one no
  longer exported (`deltas.py`), as any list;
- a reason through an affiliate (`viaVendorId`): the affiliation is not exported, so the
  sanction is imposed on the vendor itself (its id `exclusions:<hash>` of the vendor and the
  affiliate's sanction, its reason naming the affiliate, covering no affiliates of its own):
  the vendor is barred as in the exporting registry, while the answer no longer names the
  affiliate, and it stays barred should the affiliation end.

The period is the authority's as the exporting registry recorded it, so it is imposed with a
policy override naming the exported sanction: the importing registry's suspension policy
(which the "serious" flag and the decision date, not exported, would need) does not refuse
it. Not carried (not in the export): the decision date (the first day stands for it),
incidents, the "serious" flag, and a change of a sanction's scope dated after the export's day
(the scope in force on that day is exported, an upcoming sanction's on the first day it bars;
a lift or a new period dated ahead is carried, in the reason's last day). A sanction
whose scope (agencies, categories, affiliate coverage) changed between two exports is another
sanction (`sanction_id`): the old one lifted from the import's day, the new one imposed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Self, TextIO

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from services.events.base import EventEnvelope
from services.events.catalog import describe_validation_error
from services.events.sanction import GroundCode, SanctionKind
from services.events.vendor import VendorIdentifierRef, VendorKind, VendorRegistered
from services.imports.csv_rows import UnreadableFile
from services.imports.entries import ListEntry, RowProblem
from services.imports.events import (
    EntryEvents,
    amendment,
    id_key,
    imposition_events,
    known_kind,
)
from services.registry.domain.names import IdentifierKey, normalize_identifier

SOURCE = "exclusions"
# Each sanction names its own authority; this one names the lifts of sanctions that a newer
# export no longer has.
AUTHORITY = "exported exclusions"
_MAX_ID = 128  # the catalog's Identifier
# The period is the authority's decision as another registry recorded it (perhaps serious, or
# overriding its policy: the export does not say), not one this registry's policy may refuse.
_OVERRIDE = "as recorded by the exporting registry (its sanction {}); not decided here"


class _Exported(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class _Identifier(_Exported):
    scheme: str
    value: str


class _Reason(_Exported):
    sanction_id: str
    kind: SanctionKind
    authority: str
    starts_on: dt.date
    ends_on: dt.date | None
    agencies: list[str] | None = None
    categories: list[str] | None = None
    covers_affiliates: bool = False
    via_vendor_id: str | None = None
    grounds: list[str] = []
    reason: str | None = None
    # The bar's first day and whether it follows a gap in the sanction (older exports have
    # neither: each sanction was one bar there, but for those of 2026-12-04, `_dated`).
    bars_from: dt.date | None = None
    resumed: bool = False


class _Vendor(_Exported):
    vendor_id: str
    legal_name: str
    name_kana: str | None = None
    name_en: str | None = None
    aliases: list[str] = []
    former_names: list[str] = []
    country: str | None = None
    kind: VendorKind | None = None  # older exports have none: not known
    identifiers: list[_Identifier] = []
    reasons: list[_Reason] = []  # none: barred only later (`upcoming`)
    upcoming: list[_Reason] = []

    @model_validator(mode="after")
    def _bars_someone(self) -> Self:
        if not self.reasons and not self.upcoming:
            raise PydanticCustomError(
                "no_bar", "reasons and upcoming are both empty: an exported vendor is barred"
            )
        return self


@dataclass(frozen=True)
class ExportedEntry(ListEntry):
    """A `ListEntry` with what the export says of the vendor and the sanction."""

    exported_vendor_id: str
    exported_sanction_id: str
    # A bar of the sanction after a gap in it, from `starts_on`: a sanction of its own
    # (`sanction_id` tells it from the sanction's first bar).
    resumes: bool
    via_vendor_id: str | None  # barred through this affiliate's sanction in the export
    name_kana: str | None
    name_en: str | None
    identifiers: tuple[tuple[str, str], ...]  # (scheme, value) as exported
    ground_codes: tuple[str, ...]
    reason: str | None
    agencies: tuple[str, ...] | None  # None: every agency
    categories: tuple[str, ...] | None  # None: every category
    covers_affiliates: bool


def _grounds_text(reason: _Reason) -> str:
    return reason.reason or " ".join(reason.grounds) or "unspecified"


def _entry(vendor: _Vendor, reason: _Reason, line: int) -> ExportedEntry:
    names = {vendor.legal_name, vendor.name_kana, vendor.name_en}
    others = (*vendor.aliases, *vendor.former_names)
    return ExportedEntry(
        source=SOURCE,
        line=line,
        name=vendor.legal_name,
        aliases=tuple(dict.fromkeys(n for n in others if n and n not in names)),
        address="",
        country=vendor.country,
        # A bar after a gap is a sanction of its own, from the bar's first day: from the
        # sanction's, it would bar in the gap too.
        starts_on=reason.bars_from if reason.resumed and reason.bars_from else reason.starts_on,
        last_day=reason.ends_on,
        grounds=_grounds_text(reason),
        authority=reason.authority,
        exported_vendor_id=vendor.vendor_id,
        exported_sanction_id=reason.sanction_id,
        resumes=reason.resumed and reason.bars_from is not None,
        via_vendor_id=reason.via_vendor_id,
        name_kana=vendor.name_kana,
        name_en=vendor.name_en,
        identifiers=tuple((i.scheme, i.value) for i in vendor.identifiers),
        kind=reason.kind,
        ground_codes=tuple(reason.grounds),
        reason=reason.reason,
        agencies=tuple(reason.agencies) if reason.agencies is not None else None,
        categories=tuple(reason.categories) if reason.categories is not None else None,
        # Through an affiliate: imposed on the vendor itself, it reaches no further.
        covers_affiliates=reason.covers_affiliates and reason.via_vendor_id is None,
        vendor_kind=vendor.kind,
    )


# Why a file whose first line is no exported vendor is refused whole.
_NOT_AN_EXPORT = (
    ": the file is not an exclusions export (JSON lines: `export exclusions --format json`)"
)


def _exported_vendor(data: object) -> bool:
    """Whether a line's JSON is meant as an exported vendor (an object with its id), however
    wrong its other fields: another JSON document (an OCDS package on one line, `{}`) is not."""
    return isinstance(data, dict) and ("vendorId" in data or "vendor_id" in data)


def entries(stream: TextIO) -> Iterator[ExportedEntry | RowProblem]:
    """An entry per exported reason and upcoming sanction, a line at a time; a line that is
    not an exported vendor (nested too deep to read among them) is a `RowProblem`, and a
    first line that is not JSON at all, or JSON that is no exported vendor, makes the file an
    `UnreadableFile` (another list's CSV or an OCDS package given as an export: every line
    refused, one by one, a report of nothing but refusals)."""
    first = True
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            if first and not _exported_vendor(data):
                raise UnreadableFile(
                    f"line {line}: JSON, but not an exported vendor (an object with a"
                    f" vendorId){_NOT_AN_EXPORT}"
                )
            vendor = _Vendor.model_validate(data)
        except json.JSONDecodeError as error:
            if first:
                raise UnreadableFile(
                    f"line {line}: not JSON ({error.msg} at column {error.colno}){_NOT_AN_EXPORT}"
                ) from None
            yield RowProblem(line, f"not JSON: {error.msg} at column {error.colno}")
            continue
        except RecursionError:  # json reads nested arrays and objects by recursing
            yield RowProblem(line, "not JSON this reads: arrays and objects nested too deep")
            continue
        except ValidationError as error:
            yield RowProblem(line, describe_validation_error(error))
            continue
        finally:
            first = False
        seen: set[tuple[str, str | None, dt.date | None]] = set()
        current = {(r.sanction_id, r.via_vendor_id) for r in vendor.reasons}
        for reason in (*vendor.reasons, *(_dated(r, current) for r in vendor.upcoming)):
            key = (reason.sanction_id, reason.via_vendor_id, reason.bars_from)
            if key not in seen:  # a bar listed twice would be imposed once
                seen.add(key)
                yield _entry(vendor, reason, line)


def _dated(upcoming: _Reason, current: set[tuple[str, str | None]]) -> _Reason:
    """An upcoming bar as this reader keeps it: an export of 2026-12-04 that named no bar's
    first day listed a sanction barring again after a gap in `reasons` and `upcoming` both;
    its later bar is one after a gap, from its first day (`startsOn`)."""
    if (
        upcoming.bars_from is not None
        or (upcoming.sanction_id, upcoming.via_vendor_id) not in current
    ):
        return upcoming
    return upcoming.model_copy(update={"bars_from": upcoming.starts_on, "resumed": True})


def _prefixed(exported: str, *parts: str) -> str:
    whole = f"{SOURCE}:{exported}{''.join(parts)}"
    return whole if len(whole) <= _MAX_ID else f"{SOURCE}:{id_key(exported, *parts)}"


def vendor_id(entry: ExportedEntry) -> str:
    """`exclusions:<exported vendorId>` (a hash of it when that would be too long)."""
    return _prefixed(entry.exported_vendor_id)


def _scope(entry: ExportedEntry) -> str:
    """ "" for a sanction on every agency and category covering no affiliates; else `.<key>`
    of its agencies, categories and affiliate coverage."""
    if entry.agencies is None and entry.categories is None and not entry.covers_affiliates:
        return ""
    agencies = "\x1e".join(entry.agencies) if entry.agencies is not None else "*"
    categories = "\x1e".join(entry.categories) if entry.categories is not None else "*"
    return f".{id_key(agencies, categories, entry.covers_affiliates)}"


def sanction_id(entry: ExportedEntry) -> str:
    """`exclusions:<exported sanctionId>`, then `.<key>` of its scope when it has one (a
    scope changed in a newer export is another sanction: the old one lifted, the new one
    imposed, as for the Japanese lists' 対象範囲, since `deltas.py` compares last days only);
    a reason through an affiliate is a sanction of its own on the vendor, `exclusions:<hash>`
    of the vendor and the affiliate's sanction; `:from-<day>` after either for the bar after
    a gap of a sanction barring on the export's day too (`resumes`). Too long for the
    catalog: a hash."""
    resumes = f":from-{entry.starts_on.isoformat()}" if entry.resumes else ""
    if entry.via_vendor_id is not None:
        own = id_key(entry.exported_vendor_id, entry.exported_sanction_id)
        return f"{SOURCE}:{own}{_scope(entry)}{resumes}"
    return _prefixed(entry.exported_sanction_id, _scope(entry), resumes)


def identifier_keys(entry: ExportedEntry) -> tuple[IdentifierKey, ...]:
    return tuple(normalize_identifier(scheme, value) for scheme, value in entry.identifiers)


def amended(entry: ExportedEntry, on: dt.date, sanction: str, changes: int) -> EventEnvelope:
    """The entry's sanction (recorded as `sanction`: `sanction_id`, or `entry_ids.again`)
    given the entry's last day, from `on` (the import's day); `changes`: as `events.amendment`."""
    override = _OVERRIDE.format(entry.exported_sanction_id)
    return amendment(entry, on, sanction, vendor_id(entry), changes, override)


def _reason_text(entry: ExportedEntry) -> str | None:
    if entry.via_vendor_id is None:
        return entry.reason
    through = f"through its affiliate {entry.via_vendor_id} ({entry.exported_sanction_id})"
    return f"{entry.reason}; {through}" if entry.reason else through


def entry_events(entry: ExportedEntry, register: bool, sanction: str) -> EntryEvents:
    """The events of one entry (its vendor's registration when `register`), its sanction
    imposed as `sanction` (`sanction_id`, or `entry_ids.again`); raises ValueError saying
    which field when the catalog refuses what the export says."""
    grounds: list[GroundCode] = list(entry.ground_codes) or ["unspecified"]

    def registration() -> VendorRegistered:
        return VendorRegistered(
            legal_name=entry.name,
            name_kana=entry.name_kana,
            name_en=entry.name_en,
            identifiers=[
                VendorIdentifierRef(scheme=scheme, value=value)
                for scheme, value in entry.identifiers
            ],
            aliases=list(entry.aliases),
            country=entry.country,
            **known_kind(entry.vendor_kind),
        )

    terms = {
        "kind": entry.kind,
        "grounds": grounds,
        "reason": _reason_text(entry),
        "agencies": list(entry.agencies) if entry.agencies is not None else None,
        "categories": list(entry.categories) if entry.categories is not None else None,
        "covers_affiliates": entry.covers_affiliates,
        "policy_override_reason": _OVERRIDE.format(entry.exported_sanction_id),
    }
    return imposition_events(
        entry, vendor_id(entry), sanction, registration if register else None, terms
    )
