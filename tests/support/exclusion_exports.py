"""Our own JSON-lines exclusions export as the import tests write and read it back (pure): a
barred vendor (`VENDOR`) with its own sanction (`OWN`) and one through an affiliate (`VIA`),
its line in the export of `DAY` with the reasons given (`exported`), and an import of such a
text over the sanctions recorded before, which it updates as the registry would record them
(`imported`)."""

from __future__ import annotations

import datetime as dt
import io

from services.events.sanction import SanctionAmended, SanctionImposed, SanctionKind, SanctionLifted
from services.imports.deltas import RecordedSanction
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.registry.domain.eligibility import Eligibility, Reason
from services.registry.domain.names import IdentifierKey
from services.registry.domain.sanction_timeline import Decision
from services.registry.exports.exclusion_formats import json_lines
from services.registry.exports.exclusions import Bar, Exclusion
from services.registry.storage.vendor_repository import FormerName, VendorRow

DAY = dt.date(2024, 6, 1)
TODAY = dt.date(2026, 12, 1)
VENDOR = VendorRow(
    vendor_id="jp_suspension:cn-7999901000001",
    legal_name="株式会社北浜建設",
    name_kana="キタハマケンセツ",
    name_en="Kitahama Construction Co., Ltd.",
    country="JP",
    aliases=("北浜建設",),
    identifiers=(IdentifierKey("corporate_number", "7999901000001"),),
    former_names=(FormerName("北浜土建株式会社", dt.date(2019, 3, 31)),),
)
OWN = Reason(
    sanction_id="jp_suspension:0f1e2d3c4b5a6978",
    kind=SanctionKind.BID_SUSPENSION,
    authority="北浜市",
    starts_on=dt.date(2024, 4, 1),
    ends_on=dt.date(2024, 9, 30),
    via_vendor_id=None,
    agencies=("北浜市水道局",),
    categories=("土木一式工事", "舗装工事"),
    decision=Decision(grounds=("bribery",), reason="贈賄"),
)
VIA = Reason(
    sanction_id="city-2024-007",
    kind=SanctionKind.DEBARMENT,
    authority="City procurement",
    starts_on=dt.date(2024, 1, 1),
    ends_on=None,
    via_vendor_id="parent-1",
    agencies=None,
    categories=None,
    decision=Decision(grounds=("bid_rigging",)),
)


def exported(
    *reasons: Reason, upcoming: tuple[Reason, ...] = (), covering: frozenset[Bar] = frozenset()
) -> str:
    answer = Eligibility(VENDOR.vendor_id, DAY, False, reasons, dt.date(2024, 10, 1), upcoming)
    return json_lines(Exclusion(VENDOR, answer, covering))


def imported(
    text: str, day: dt.date, recorded: dict[str, RecordedSanction]
) -> list[tuple[str, str, str | None, str | None]]:
    """An import of `text` on `day` over `recorded` (updated as the registry would record
    it): each event's type, sanction id, first day (an imposition's) or effective day, and
    last day."""
    sent: list[tuple[str, str, str | None, str | None]] = []
    for pending in planned_events(
        "exclusions", io.StringIO(text), Recorded(sanctions=dict(recorded)), day, ImportReport()
    ):
        payload = pending.event.payload
        if not isinstance(payload, SanctionImposed | SanctionAmended | SanctionLifted):
            continue
        sid = payload.sanction_id
        if isinstance(payload, SanctionImposed):
            recorded[sid] = RecordedSanction("v", payload.ends_on, lifted=False)
            sent.append(("imposed", sid, str(payload.starts_on), str(payload.ends_on)))
        elif isinstance(payload, SanctionAmended):
            recorded[sid] = RecordedSanction("v", payload.ends_on, lifted=False)
            sent.append(("amended", sid, str(payload.effective_on), str(payload.ends_on)))
        else:  # the import's own lift, for the sanction's absence
            was = recorded[sid].last_day
            recorded[sid] = RecordedSanction("v", was, lifted=True, lifted_by_list=True)
            sent.append(("lifted", sid, str(payload.effective_on), None))
    return sent
