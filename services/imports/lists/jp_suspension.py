"""A Japanese public body's list of bid suspensions (指名停止一覧), in VendorWatch's CSV layout.

Municipalities publish their 指名停止 as web tables, PDFs or spreadsheets, each its own way;
this is the one layout `vendorwatch import jp_suspension FILE` reads, to copy them into.
UTF-8 (a byte-order mark is allowed, as Excel writes it), comma-separated, one header row
naming the columns below (any order; other columns are ignored), one suspension per row:

| column   | required | what it holds                                                       |
|----------|----------|---------------------------------------------------------------------|
| 措置機関 | yes      | who suspended: the municipality or body (北浜市, 北浜市水道局); the |
|          |          | sanction's authority                                                |
| 業者名   | yes      | the firm's name (株式会社北浜建設)                                   |
| 所在地   | no       | its address, as the list writes it                                  |
| 法人番号 | no       | its 13-digit corporate number; full-width digits, spaces and        |
|          |          | hyphens allowed; a wrong check digit refuses the row (only it)      |
| 停止期間 | yes      | 令和6年4月1日から令和6年9月30日まで: era or ISO dates, both days    |
|          |          | included (元年, full-width digits and spaces allowed); 〜 or ～ may  |
|          |          | stand for から; no last day (`令和6年4月1日から`, or …から当分の間,   |
|          |          | …から無期限, …から解除まで): until lifted                           |
| 措置理由 | no       | the grounds in the list's words (贈賄, 談合, 契約違反 …)             |
| 対象範囲 | no       | the categories it applies to, separated by 、 or ／ (土木一式工事);   |
|          |          | empty, 全部門, 全業種, 全工種 or 全て: every category                  |
| 番号     | no       | the list's own numbering: ignored                                   |

Each row is a bid suspension (`SanctionKind.BID_SUSPENSION`) by 措置機関 from the first day
to the last, decided on the first day (lists rarely give the decision's day); the grounds
become policy ground codes (`japanese.ground_codes`), their words the reason; 対象範囲 the
sanction's categories. A file speaks for the bodies its rows name, and for those the import
names (`vendorwatch import jp_suspension FILE --body 北浜市水道局`: a body's list with no row
left lifts its suspensions; imports/planning.py). Vendors are Japanese (country JP); one with
a 法人番号 is registered with it. The dates are read by the registry's era-date reader
(`registry/domain/era_dates.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from services.events.sanction import SanctionKind
from services.imports.csv_rows import rows
from services.imports.entries import RowProblem
from services.imports.lists.japanese import JapaneseEntry, corporate_number, plain
from services.registry.domain.era_dates import parse_date

SOURCE = "jp_suspension"
# The list's name in lift reasons: "no longer on the 指名停止一覧 list" (each row's authority
# is its own 措置機関).
AUTHORITY = "指名停止一覧"
COLUMNS = ("措置機関", "業者名", "所在地", "法人番号", "停止期間", "措置理由", "対象範囲")
EVERY_CATEGORY = frozenset({"", "全部門", "全業種", "全工種", "全て", "すべて", "全部"})
UNTIL_LIFTED = frozenset({"", "当分の間", "無期限", "解除まで", "措置解除まで", "別途通知まで"})
# "X から Y まで", "X〜Y", "X～Y" (NFKC makes ～ a "~"); まで is optional.
_PERIOD = re.compile(r"(?P<start>.+?)\s*(?:から|~|〜)\s*(?P<end>.*?)\s*(?:まで)?")
_CATEGORY_SEPARATORS = re.compile(r"\s*[、,/]\s*")


def suspension_period(text: str) -> tuple[dt.date, dt.date | None]:
    """停止期間 → first and last day (None: until lifted); ValueError saying why not."""
    written = plain(text)
    match = _PERIOD.fullmatch(written)
    if match is None:
        raise ValueError(f"{text!r}: expected 令和6年4月1日から令和6年9月30日まで")
    starts_on = parse_date(match["start"])
    end = match["end"]
    if end in UNTIL_LIFTED or f"{end}まで" in UNTIL_LIFTED:
        return starts_on, None
    last_day = parse_date(end)
    if last_day < starts_on:
        raise ValueError(f"{text!r}: the last day {last_day} is before the first {starts_on}")
    return starts_on, last_day


def categories(text: str) -> tuple[str, ...] | None:
    """対象範囲 → the categories (None: every category)."""
    written = plain(text)
    if written in EVERY_CATEGORY:
        return None
    named = [c for c in _CATEGORY_SEPARATORS.split(written) if c]
    return tuple(dict.fromkeys(named)) or None


# The columns every row needs: a file without them is not a 指名停止一覧.
REQUIRED = ("措置機関", "業者名", "停止期間")


def entries(stream: TextIO) -> Iterator[JapaneseEntry | RowProblem]:
    for read in rows(stream, REQUIRED):
        if isinstance(read, RowProblem):
            yield read
            continue
        line, row = read
        missing = [c for c in REQUIRED if not plain(row.get(c, ""))]
        if missing:
            yield RowProblem(line, f"{'、'.join(missing)}: empty")
            continue
        try:
            starts_on, last_day = suspension_period(row["停止期間"])
        except ValueError as error:
            yield RowProblem(line, f"停止期間: {error}")
            continue
        try:
            number = corporate_number(row.get("法人番号", ""))
        except ValueError as error:
            yield RowProblem(line, f"法人番号: {error}")
            continue
        yield JapaneseEntry(
            source=SOURCE,
            line=line,
            name=plain(row["業者名"]),
            aliases=(),
            address=plain(row.get("所在地", "")),
            country="JP",
            starts_on=starts_on,
            last_day=last_day,
            grounds=plain(row.get("措置理由", "")) or "措置理由の記載なし",
            authority=plain(row["措置機関"]),
            name_en=None,
            corporate_number=number,
            categories=categories(row.get("対象範囲", "")),
            kind=SanctionKind.BID_SUSPENSION,
        )
