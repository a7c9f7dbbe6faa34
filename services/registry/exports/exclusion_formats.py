"""Exclusions written for other systems (pure): CSV in the columns of SAM.gov's exclusions
extract where it has one (then this registry's own), JSON lines, and FollowTheMoney entities
(a LegalEntity per vendor and a Sanction per reason, as OpenSanctions and yente read them),
made with the followthemoney library's model."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from services.events.vendor import VendorKind
from services.platform.spreadsheet_cells import neutralise
from services.registry.domain.eligibility import Reason
from services.registry.exports.exclusions import Bar, Exclusion, bar_of
from services.registry.storage.vendor_repository import VendorRow

if TYPE_CHECKING:
    from followthemoney.model import Model

# SAM.gov's exclusions extract's columns that this registry has, then its own.
CSV_COLUMNS = (
    "Classification",
    "Name",
    "Country",
    "Unique Entity ID",
    "Excluding Agency",
    "Exclusion Type",
    "Additional Comments",
    "Active Date",
    "Termination Date",
    "Cross-Reference",
    "Vendor ID",
    "Sanction ID",
    "Agencies",
    "Categories",
    "Through Affiliate",
    "Identifiers",
    "Eligible Again On",
)
_FTM_IDENTIFIERS = {"lei": "leiCode", "corporate_number": "registrationNumber", "duns": "dunsCode"}
# SAM.gov's Classification of a party by the vendor's kind; a vendor of unknown kind gets an
# empty cell, not "Firm": the lists hold individuals too (233 rows of the IDB's).
_CLASSIFICATIONS = {VendorKind.FIRM: "Firm", VendorKind.INDIVIDUAL: "Individual"}
# The FtM schema of a vendor by its kind: a Person is matched as people's names are.
_FTM_SCHEMATA = {VendorKind.FIRM: "Organization", VendorKind.INDIVIDUAL: "Person"}


def _other_names(vendor: VendorRow) -> list[str]:
    names = [
        vendor.name_kana,
        vendor.name_en,
        *vendor.aliases,
        *(f.name for f in vendor.former_names),
    ]
    return [n for n in names if n]


def _reason_json(reason: Reason, covering_affiliates: frozenset[Bar]) -> dict[str, Any]:
    return {
        "sanctionId": reason.sanction_id,
        "kind": reason.kind.value,
        "authority": reason.authority,
        "startsOn": reason.starts_on.isoformat(),
        "endsOn": reason.ends_on.isoformat() if reason.ends_on else None,
        "agencies": list(reason.agencies) if reason.agencies is not None else None,
        "categories": list(reason.categories) if reason.categories is not None else None,
        # The bar's first day, and whether it follows a gap in the sanction: what an
        # importing registry keeps each bar of a sanction apart by.
        "barsFrom": reason.bars_from.isoformat() if reason.bars_from else None,
        "resumed": reason.resumed,
        "coversAffiliates": bar_of(reason) in covering_affiliates,
        "viaVendorId": reason.via_vendor_id,
        "grounds": list(reason.decision.grounds),
        "reason": reason.decision.reason,
    }


def json_lines(exclusion: Exclusion) -> str:
    vendor, answer = exclusion.vendor, exclusion.eligibility
    document = {
        "vendorId": vendor.vendor_id,
        "legalName": vendor.legal_name,
        "nameKana": vendor.name_kana,
        "nameEn": vendor.name_en,
        "aliases": list(vendor.aliases),
        "formerNames": [f.name for f in vendor.former_names],
        "country": vendor.country,
        "kind": vendor.kind.value if vendor.kind else None,  # firm, individual; null: unknown
        "identifiers": [{"scheme": i.scheme, "value": i.value} for i in vendor.identifiers],
        "asOf": answer.as_of.isoformat(),
        "eligibleAgainOn": answer.eligible_again_on.isoformat()
        if answer.eligible_again_on
        else None,
        "reasons": [_reason_json(r, exclusion.covering_affiliates) for r in answer.reasons],
        # Sanctions recorded already that bar it later, each as on the first day it bars:
        # `eligibleAgainOn` counts them, and a registry importing the export needs them to
        # give the same answer (services/imports/lists/exclusions.py).
        "upcoming": [_reason_json(r, exclusion.covering_affiliates) for r in answer.upcoming],
    }
    return json.dumps(document, ensure_ascii=False) + "\n"


def csv_header() -> str:
    # UTF-8's byte-order mark first, as the console's bidder CSV has it: without it Excel
    # reads the file in the system's code page and shows Japanese names garbled. Programs
    # read it as `utf-8-sig` (as this project's list importers read every CSV).
    return "\ufeff" + _csv_line(CSV_COLUMNS)


def csv_rows(exclusion: Exclusion) -> str:
    """One row per reason, as the extract has one row per exclusion record."""
    vendor, answer = exclusion.vendor, exclusion.eligibility
    uei = next((i.value for i in vendor.identifiers if i.scheme == "uei"), "")
    rows = []
    for reason in answer.reasons:
        rows.append(
            _csv_line(
                (
                    _CLASSIFICATIONS[vendor.kind] if vendor.kind else "",
                    vendor.legal_name,
                    vendor.country or "",
                    uei,
                    reason.authority,
                    reason.kind.value,
                    reason.decision.reason or " ".join(reason.decision.grounds),
                    reason.starts_on.isoformat(),
                    reason.ends_on.isoformat() if reason.ends_on else "Indefinite",
                    "; ".join(_other_names(vendor)),
                    vendor.vendor_id,
                    reason.sanction_id,
                    "; ".join(reason.agencies or ()),
                    "; ".join(reason.categories or ()),
                    reason.via_vendor_id or "",
                    "; ".join(f"{i.scheme}:{i.value}" for i in vendor.identifiers),
                    answer.eligible_again_on.isoformat() if answer.eligible_again_on else "",
                )
            )
        )
    return "".join(rows)


def _csv_line(cells: tuple[str, ...]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([neutralise(cell) for cell in cells])
    return out.getvalue()


@functools.cache
def _ftm_model() -> Model:
    # Imported on first use: followthemoney brings pandas, SQLAlchemy and its dataset catalog
    # (about a second), which every process building the API would otherwise pay at start.
    from followthemoney import model

    return model


def _ftm_id(*parts: str) -> str:
    # FtM's own id helper (a SHA-1 of the parts), imported on first use as the model is.
    from followthemoney.util import make_entity_id

    return f"vendorwatch-{make_entity_id(*parts)}"


def ftm_entity_id(vendor_id: str) -> str:
    """The vendor's FollowTheMoney id in every export: `vendorwatch-` and the SHA-1 (hex) of
    its vendor id, so a consumer holding the vendor id derives it. Not the vendor id itself:
    an FtM id has only letters, digits, `.` and `-` (`registry.entity`), and followthemoney
    drops a reference to any other without a word, so Sanctions of `ebrd:…` and `ocds:…`
    vendors had no `entity`."""
    return _ftm_id(vendor_id)


def ftm_sanction_id(sanction_id: str, vendor_id: str) -> str:
    """A reason's Sanction's id: `vendorwatch-` and the SHA-1 of `<sanction id>/<vendor id>`
    (a vendor barred through an affiliate has a Sanction of its own for the affiliate's
    sanction). No id of the catalog holds `/`, so it tells the two apart, and no vendor's
    hash is a sanction's."""
    return _ftm_id(sanction_id, "/", vendor_id)


def ftm_entities(exclusion: Exclusion) -> str:
    """The vendor as a Person or an Organization by its kind (a LegalEntity when unknown),
    each reason as a Sanction on it; JSON lines."""
    vendor, answer = exclusion.vendor, exclusion.eligibility
    model = _ftm_model()
    entity = model.make_entity(_FTM_SCHEMATA[vendor.kind] if vendor.kind else "LegalEntity")
    entity.id = ftm_entity_id(vendor.vendor_id)
    entity.add("name", vendor.legal_name)
    entity.add("alias", [n for n in (vendor.name_kana, vendor.name_en, *vendor.aliases) if n])
    entity.add("previousName", [f.name for f in vendor.former_names])
    entity.add("country", vendor.country)
    entity.add("topics", "debarment")
    for identifier in vendor.identifiers:
        entity.add(_FTM_IDENTIFIERS.get(identifier.scheme, "registrationNumber"), identifier.value)
    lines = [json.dumps(entity.to_dict(), ensure_ascii=False)]
    for reason in answer.reasons:
        sanction = model.make_entity("Sanction")
        sanction.id = ftm_sanction_id(reason.sanction_id, vendor.vendor_id)
        sanction.add("entity", entity.id)
        sanction.add("authority", reason.authority)
        sanction.add("program", reason.kind.value)
        sanction.add("startDate", reason.starts_on.isoformat())
        if reason.ends_on is not None:
            sanction.add("endDate", reason.ends_on.isoformat())
        sanction.add("reason", reason.decision.reason or ", ".join(reason.decision.grounds))
        sanction.add("provisions", list(reason.decision.grounds))
        lines.append(json.dumps(sanction.to_dict(), ensure_ascii=False))
    return "\n".join(lines) + "\n"


# The formats that carry the bars still to come, and so a line for a vendor barred only
# later (no reason: eligible on the day): what `vendorwatch import exclusions` reads.
WITH_LATER_BARS = frozenset({"json"})


class ExportFormat(NamedTuple):
    header: Callable[[], str]
    lines: Callable[[Exclusion], str]  # a vendor's
    media_type: str
    # The file's name after `exclusions-<day>`: each format its own, so that one download
    # does not overwrite another (FtM's line files are `.ftm.json`, as OpenSanctions names them).
    extension: str


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(csv_header, csv_rows, "text/csv; charset=utf-8", ".csv"),
    "json": ExportFormat(lambda: "", json_lines, "application/x-ndjson", ".jsonl"),
    "ftm": ExportFormat(lambda: "", ftm_entities, "application/x-ndjson", ".ftm.json"),
}


async def exported(format_: str, exclusions: AsyncIterator[Exclusion]) -> AsyncIterator[str]:
    """The export as it is written, a vendor at a time."""
    header, lines, _, _ = FORMATS[format_]
    yield header()
    async for exclusion in exclusions:
        yield lines(exclusion)
