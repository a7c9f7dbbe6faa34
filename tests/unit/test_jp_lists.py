"""The Japanese lists (pure): our example municipal 指名停止一覧 (era dates of 平成 and 令和 with
元年, full-width digits and spaces, 法人番号 with their check digits, open-ended periods,
対象範囲) and METI's real list of barred Russian entities (dates with stray spaces, ja + en
names, the PDF extraction's glitches), read into entries, then into catalog events and the
import's deltas."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from services.events.base import EventEnvelope
from services.events.sanction import SanctionImposed, SanctionKind, SanctionLifted
from services.events.vendor import VendorRegistered
from services.imports.csv_rows import UnreadableFile
from services.imports.deltas import RecordedSanction
from services.imports.entries import RowProblem
from services.imports.lists import japanese, jp_meti, jp_suspension
from services.imports.lists.japanese import JapaneseEntry
from services.imports.planning import Recorded, planned_events
from services.imports.report import ImportReport
from services.imports.scratch_vendors import Known

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
EXAMPLE = LISTS / "jp_suspension_example.csv"
METI = LISTS / "jp_meti_russia_export_ban_entities_first75.csv"
TODAY = dt.date(2026, 12, 1)


def _read(reader: object, path: Path) -> list[JapaneseEntry | RowProblem]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(reader.entries(stream))  # type: ignore[attr-defined]


def _line(entries: list[JapaneseEntry | RowProblem], line: int) -> JapaneseEntry:
    found = next(e for e in entries if e.line == line)
    assert isinstance(found, JapaneseEntry)
    return found


def test_the_example_municipal_list() -> None:
    entries = _read(jp_suspension, EXAMPLE)
    assert len(entries) == 12
    problems = [e for e in entries if isinstance(e, RowProblem)]
    # Row 7's 法人番号 has a wrong check digit: that row alone is refused, saying which.
    assert problems == [
        RowProblem(
            8,
            "法人番号: corporate number 8999901000001 fails its check digit"
            " (first digit should be 7)",
        )
    ]
    first = _line(entries, 2)
    assert (first.name, first.authority, first.corporate_number) == (
        "株式会社北浜建設",
        "北浜市",
        "7999901000001",
    )
    assert (first.starts_on, first.last_day) == (dt.date(2024, 4, 1), dt.date(2024, 9, 30))
    assert first.categories is None and first.kind is SanctionKind.BID_SUSPENSION
    wide = _line(entries, 3)  # full-width digits in the dates and the 法人番号
    assert wide.corporate_number == "6999901000002" and wide.categories == ("土木一式工事",)
    assert (wide.starts_on, wide.last_day) == (dt.date(2023, 12, 15), dt.date(2024, 3, 14))
    heisei = _line(entries, 4)
    assert (heisei.starts_on, heisei.last_day) == (dt.date(2018, 10, 1), dt.date(2019, 3, 31))
    gannen = _line(entries, 5)  # 令和元年, two categories
    assert (gannen.starts_on, gannen.last_day) == (dt.date(2019, 5, 7), dt.date(2019, 11, 6))
    assert gannen.categories == ("土木一式工事", "舗装工事")
    across = _line(entries, 6)  # 平成31年 to 令和元年
    assert (across.starts_on, across.last_day) == (dt.date(2019, 4, 1), dt.date(2019, 9, 30))
    open_ended = _line(entries, 7)  # から当分の間, no 法人番号
    assert (open_ended.starts_on, open_ended.last_day) == (dt.date(2022, 7, 1), None)
    assert open_ended.corporate_number is None
    spaced = _line(entries, 9)  # full-width spaces between every part
    assert (spaced.starts_on, spaced.last_day) == (dt.date(2024, 2, 1), dt.date(2024, 7, 31))
    tilde = _line(entries, 11)  # 〜 for から, no まで
    assert (tilde.starts_on, tilde.last_day) == (dt.date(2024, 6, 1), dt.date(2024, 11, 30))
    hyphens = _line(entries, 12)  # 6999-9010-0000-2, another authority
    assert (hyphens.corporate_number, hyphens.authority) == ("6999901000002", "北浜市水道局")
    slashes = _line(entries, 13)  # a category with a middle dot, ／ between two
    assert slashes.categories == ("とび・土工・コンクリート工事", "建築一式工事")


def test_periods_and_scopes_as_the_layout_allows() -> None:
    period = jp_suspension.suspension_period
    assert period("令和6年4月1日から") == (dt.date(2024, 4, 1), None)
    assert period("令和6年4月1日から解除まで") == (dt.date(2024, 4, 1), None)
    assert period("令和6年4月1日から無期限") == (dt.date(2024, 4, 1), None)
    assert period("2024-04-01から2024-09-30まで") == (dt.date(2024, 4, 1), dt.date(2024, 9, 30))
    assert period("R6.4.1～R6.9.30") == (dt.date(2024, 4, 1), dt.date(2024, 9, 30))
    with pytest.raises(ValueError, match="令和 began on 2019-05-01"):
        period("令和1年4月30日から令和元年9月30日まで")
    with pytest.raises(ValueError, match="before the first"):
        period("令和6年9月30日から令和6年4月1日まで")
    with pytest.raises(ValueError, match="expected 令和6年4月1日から令和6年9月30日まで"):
        period("令和6年4月1日")
    assert jp_suspension.categories("全部門") is None
    assert jp_suspension.categories("") is None
    assert jp_suspension.categories("電気工事、管工事") == ("電気工事", "管工事")


def test_a_row_without_a_required_cell_or_with_a_bad_date_is_refused_with_its_line() -> None:
    csv = (
        "措置機関,業者名,停止期間\n"
        "北浜市,,令和6年4月1日から令和6年9月30日まで\n"
        "北浜市,株式会社A,令和6年13月1日から令和7年1月31日まで\n"
    )
    first, second = jp_suspension.entries(io.StringIO(csv))
    assert first == RowProblem(2, "業者名: empty")
    assert isinstance(second, RowProblem) and second.line == 3
    assert second.reason.startswith("停止期間:") and "no month 13" in second.reason


def test_grounds_in_japanese_as_ground_codes() -> None:
    assert japanese.ground_codes("贈賄(市職員に対する贈賄容疑)") == ["bribery"]
    assert japanese.ground_codes("談合(独占禁止法違反)") == ["bid_rigging", "violation_of_law"]
    assert japanese.ground_codes("過失による公衆損害事故") == ["negligent_accident"]
    assert japanese.ground_codes("経営状況の悪化") == ["unspecified"]


def test_a_municipal_rows_events() -> None:
    entries = [e for e in _read(jp_suspension, EXAMPLE) if isinstance(e, JapaneseEntry)]
    first = _line(list(entries), 2)
    made = japanese.entry_events(first, register=True)
    assert made.vendor_id == "jp_suspension:cn-7999901000001"
    registered, imposed = (e.payload for e in made.events)
    assert isinstance(registered, VendorRegistered) and isinstance(imposed, SanctionImposed)
    assert registered.legal_name == "株式会社北浜建設" and registered.country == "JP"
    assert [(i.scheme, i.value) for i in registered.identifiers] == [
        ("corporate_number", "7999901000001")
    ]
    assert (imposed.kind, imposed.authority, imposed.grounds) == (
        SanctionKind.BID_SUSPENSION,
        "北浜市",
        ["bribery"],
    )
    assert (imposed.starts_on, imposed.ends_on, imposed.categories) == (
        dt.date(2024, 4, 1),
        dt.date(2024, 9, 30),
        None,
    )
    scoped = japanese.entry_events(_line(list(entries), 3), register=False)
    (only,) = scoped.events
    assert isinstance(only.payload, SanctionImposed)
    assert only.payload.categories == ["土木一式工事"]
    # The same row gives the same events, ids included.
    assert japanese.entry_events(first, register=True) == made
    # Two suspensions of one 法人番号 (an address written two ways): one vendor.
    again = _line(list(entries), 10)
    assert japanese.vendor_id(again) == made.vendor_id
    assert japanese.sanction_id(again) != japanese.sanction_id(first)


def _imported(
    path: Path | str, recorded: Recorded, bodies: tuple[str, ...] = ()
) -> tuple[ImportReport, list[EventEnvelope]]:
    report = ImportReport()
    stream = io.StringIO(path) if isinstance(path, str) else path.open(encoding="utf-8-sig")
    with stream:
        planned = planned_events("jp_suspension", stream, recorded, TODAY, report, bodies)
        events = [p.event for p in planned]
    return report, events


def test_importing_the_example_then_a_newer_one() -> None:
    report, events = _imported(EXAMPLE, Recorded())
    assert (report.rows, report.imposed, report.vendors) == (12, 11, 9)
    assert report.refused == [
        "line 8: 法人番号: corporate number 8999901000001 fails its check digit"
        " (first digit should be 7)"
    ]
    assert len(events) == 20  # 9 registrations, 11 suspensions
    # What the registry would then hold.
    sanctions = {
        e.payload.sanction_id: RecordedSanction(
            e.vendor_id, e.payload.ends_on, lifted=False, authority=e.payload.authority
        )
        for e in events
        if isinstance(e.payload, SanctionImposed)
    }
    recorded = Recorded(sanctions=sanctions)
    same, none = _imported(EXAMPLE, recorded)
    assert (same.imposed, same.amended, same.lifted, same.unchanged, none) == (0, 0, 0, 11, [])

    lines = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    newer = (
        (
            "".join(lines[:3])  # the header, rows 1 and 2
            + "".join(lines[4:6])  # row 3 (みなと設備, 平成30年: over) is gone
            + "".join(lines[7:])  # row 6 (青葉興業, 当分の間: in force) is gone
        ).replace("令和6年6月1日〜令和6年11月30日", "令和6年6月1日〜令和7年2月28日")
        + (
            "13,北浜市,株式会社港北舗装,北浜市港北区新町三丁目1番2号,,"
            "令和7年1月6日から令和7年4月5日まで,入札談合,舗装工事\n"
        )
    )
    delta, made = _imported(newer, recorded)
    # Row 7 (a wrong check digit) cannot be read, and may list what row 6 listed: nothing is
    # lifted until it is corrected. Row 3's suspension ended in 2019: over, never lifted, and
    # not counted as no longer listed while a refused row may list it.
    assert (delta.imposed, delta.amended, delta.lifted, delta.vendors) == (1, 1, 0, 1)
    assert (delta.withheld, delta.ended, len(delta.refused)) == (1, 0, 1)
    kinds = sorted(e.event_type for e in made)
    assert kinds == ["sanction.amended", "sanction.imposed", "vendor.registered"]

    corrected = newer.replace("8999901000001", "7999901000001")
    delta, made = _imported(corrected, recorded)
    assert (delta.lifted, delta.ended, delta.refused) == (1, 1, [])
    [lift] = [e for e in made if e.event_type == "sanction.lifted"]
    assert lift.vendor_id == next(e.vendor_id for e in events if "青葉興業" in e.model_dump_json())

    # Another body's file lifts none of 北浜市's suspensions.
    other = (
        "".join(lines[:1])
        + "1,南浜市,南浜土木株式会社,南浜市1-1,,令和6年5月1日から令和7年4月30日まで,談合,全部門\n"
    )
    delta, made = _imported(other, recorded)
    assert (delta.imposed, delta.lifted) == (1, 0)


HEADER = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[0]
ONE_CASE = (  # in force on TODAY (a suspension already over is not lifted for its absence)
    "株式会社北浜建設,北浜市中央区本町一丁目2番3号,7999901000001,"
    "令和8年4月1日から令和9年9月30日まで,贈賄,全部門"
)


def _recorded(events: list[EventEnvelope], ids: dict[str, str] | None = None) -> Recorded:
    """What the registry would hold after these events (`ids`: a sanction's id as recorded)."""
    return Recorded(
        sanctions={
            (ids or {}).get(e.payload.sanction_id, e.payload.sanction_id): RecordedSanction(
                e.vendor_id, e.payload.ends_on, lifted=False, authority=e.payload.authority
            )
            for e in events
            if isinstance(e.payload, SanctionImposed)
        }
    )


def test_two_bodies_suspending_one_firm_for_one_case_are_two_suspensions() -> None:
    # A city and its water bureau suspend one firm on one day for one case: two suspensions,
    # each its body's to lift. Under one id the second amended the first, and the first body's
    # lift cleared the firm while the second's suspension ran.
    both = HEADER + f"1,北浜市,{ONE_CASE}\n2,北浜市水道局,{ONE_CASE}\n"
    report, events = _imported(both, Recorded())
    imposed = [e.payload for e in events if isinstance(e.payload, SanctionImposed)]
    assert report.imposed == 2 and len({p.sanction_id for p in imposed}) == 2
    assert sorted(p.authority for p in imposed) == ["北浜市", "北浜市水道局"]
    water_only = HEADER + f"1,北浜市水道局,{ONE_CASE}\n"
    delta, made = _imported(water_only, _recorded(events))
    assert (delta.unchanged, delta.lifted) == (1, 0)  # the city's file lifts the city's
    city_lifts = (
        HEADER
        + "1,北浜市,東和土木株式会社,北浜市港区,,令和6年1月1日から令和6年3月1日まで,事故,全部門\n"
    )
    delta, made = _imported(city_lifts, _recorded(events))
    (lift,) = [e.payload for e in made if isinstance(e.payload, SanctionLifted)]
    assert lift.sanction_id == next(p.sanction_id for p in imposed if p.authority == "北浜市")


def test_a_bodys_list_emptied_lifts_its_suspensions_when_the_body_is_named() -> None:
    # The water bureau's list has no row left: read alone, the file names no body and lifts
    # nothing; said to be the bureau's whole list (`--body`), it lifts the bureau's
    # suspension, and none of the city's.
    both = HEADER + f"1,北浜市,{ONE_CASE}\n2,北浜市水道局,{ONE_CASE}\n"
    _, events = _imported(both, Recorded())
    recorded = _recorded(events)
    delta, made = _imported(HEADER, recorded)
    assert (delta.rows, delta.lifted, made) == (0, 0, [])
    delta, made = _imported(HEADER, recorded, bodies=("北浜市水道局 ",))
    (lift,) = [e.payload for e in made if isinstance(e.payload, SanctionLifted)]
    assert delta.lifted == 1
    imposed = [e.payload for e in events if isinstance(e.payload, SanctionImposed)]
    (water,) = [p.sanction_id for p in imposed if p.authority == "北浜市水道局"]
    assert lift.sanction_id == water
    # A body written otherwise than the list writes it lifts nothing, and says so.
    delta, made = _imported(HEADER, recorded, bodies=("北浜市 水道局",))
    assert (delta.lifted, made) == (0, [])
    assert [note.split(":")[0] for note in delta.notes] == ["--body 北浜市 水道局"]
    # A file that is not the list (empty, or another header) is refused whole, lifting
    # nothing: a failed export must not clear a body's suspensions.
    for not_the_list in ("", "番号,業者名\n"):
        with pytest.raises(UnreadableFile, match="the header has no 措置機関"):
            _imported(not_the_list, recorded, bodies=("北浜市水道局",))


def test_suspensions_recorded_before_their_ids_named_the_body_keep_their_ids() -> None:
    # Imported under the ids without the body: the next import neither lifts them nor imposes
    # them again under the new ids.
    _, events = _imported(EXAMPLE, Recorded())
    entries = [e for e in _read(jp_suspension, EXAMPLE) if isinstance(e, JapaneseEntry)]
    legacy = {japanese.sanction_id(e): japanese.legacy_sanction_id(e) for e in entries}
    assert all(new != old for new, old in legacy.items())
    again, made = _imported(EXAMPLE, _recorded(events, legacy))
    assert (again.imposed, again.amended, again.lifted, again.unchanged) == (0, 0, 0, 11)
    assert made == []


def test_the_real_meti_list() -> None:
    entries = _read(jp_meti, METI)
    assert len(entries) == 75 and not [e for e in entries if isinstance(e, RowProblem)]
    read = [e for e in entries if isinstance(e, JapaneseEntry)]
    # "2022 年03月01 日": from the designation date, until lifted; Russian entities.
    assert {(e.starts_on, e.last_day, e.country) for e in read} == {
        (dt.date(2022, 3, 1), None, "RU")
    }
    fsb = _line(entries, 7)  # entry 6
    assert (fsb.name, fsb.name_en) == ("連邦保安庁", "Federal Security Service (FSB)")
    assert fsb.aliases == ("Federalnaya Sluzhba Bezopasnosti",)
    kazan = _line(entries, 18)  # entry 17: the Japanese name cut inside its brackets
    assert kazan.name == "株式会社カザンヘリコプター修理工場"
    assert kazan.name_en == "JSC Kazan Helicopter Plant Repair Service"
    assert kazan.aliases == ("Kazanski Vertoletny Zavod Remservis", "KVZ Remservis")
    mcst = _line(entries, 72)  # entry 71: the English name glued onto the Japanese one
    assert (mcst.name, mcst.name_en) == ("レベジェフ名称MCST", "MCST Lebedev")
    assert mcst.aliases[-3:] == (
        "Moscow Center of SPARC Technologies",
        "AO MTSST",
        "ZAO Elbrus-MCST",
    )
    gru = _line(entries, 23)  # entry 22: 別称 in both scripts
    assert gru.aliases == (
        "Glavnoe Razvedyvatel’noe Upravlenie",
        "GRU",
        "情報総局",
        "Main Intelligence Department",
    )
    # Every entry is a valid registration and debarment, each its own vendor.
    made = [japanese.entry_events(e, register=True) for e in read]
    assert len({m.vendor_id for m in made}) == 75
    defence = made[22]  # entry 23: its English designation is 420 characters long
    registered, imposed = (e.payload for e in defence.events)
    assert isinstance(registered, VendorRegistered) and isinstance(imposed, SanctionImposed)
    assert registered.name_en is not None and len(registered.name_en) <= 300
    assert registered.name_en.endswith("…")
    assert (imposed.kind, imposed.authority, imposed.indefinite, imposed.grounds) == (
        SanctionKind.DEBARMENT,
        jp_meti.AUTHORITY,
        True,
        ["export_ban"],
    )
    assert imposed.reason is not None and imposed.reason.startswith("国際平和のための")


def _meti_imported() -> Recorded:
    """What the registry holds after the real METI list's first import."""
    report = ImportReport()
    with METI.open(encoding="utf-8-sig") as stream:
        made = [p.event for p in planned_events("jp_meti", stream, Recorded(), TODAY, report)]
    assert (report.imposed, report.refused) == (75, [])
    known = tuple(
        Known(
            e.vendor_id,
            e.payload.country,
            # As the registry gives them to an import: every name but former ones, the
            # legal first, and the aliases apart too.
            (e.payload.legal_name, *(n for n in (e.payload.name_en,) if n), *e.payload.aliases),
            tuple(e.payload.aliases),
        )
        for e in made
        if isinstance(e.payload, VendorRegistered)
    )
    return Recorded(known, _recorded(made).sanctions)


def _meti_again(text: str) -> tuple[ImportReport, list[str]]:
    """An import of `text` after the real list's: its report and the event types it sends."""
    report = ImportReport()
    planned = planned_events("jp_meti", io.StringIO(text), _meti_imported(), TODAY, report)
    return report, [p.event.event_type for p in planned]


def test_a_meti_name_with_brackets_within_its_other_names_is_read_apart() -> None:
    # Entry 60: the brackets inside the 別称 list hid it, and the whole text was the legal
    # name, with neither Japanese other name an alias.
    elvis = _line(_read(jp_meti, METI), 61)
    assert elvis.name == "電子機械・情報システム(ELVIS)"
    assert elvis.aliases[:2] == (
        "株式会社研究開発センター・エルヴィス(ELVEES)",
        "科学生産センター・エルヴィス",
    )
    assert jp_meti.japanese_names("名（別称、A（B、C）、D及びE（F及びG））") == (
        "名",
        ("A(B、C)", "D", "E(F及びG)"),
    )


def test_the_real_meti_list_imported_again_changes_nothing() -> None:
    # Entry 23's English name is cut to the registry's 300 characters when registered; read
    # again in full, it was a name the vendor lacked, sent as an alias the catalog refused:
    # every import after the first refused that row.
    again, sent = _meti_again(METI.read_text(encoding="utf-8-sig"))
    assert (again.refused, again.unchanged, again.names_amended, sent) == ([], 75, 0, [])


def test_a_meti_row_without_one_of_its_names_is_refused_not_barred_anew() -> None:
    # Entry 4's Japanese name lost: read under its English name alone, it was another vendor:
    # the recorded debarment lifted and a new vendor barred anew, exit 0.
    lines = METI.read_text(encoding="utf-8-sig").splitlines()
    entry_4 = lines[4].split(",")
    for column in (4, 5):  # name_ja, name_en
        cut = [*lines[:4], ",".join([*entry_4[:column], "", *entry_4[column + 1 :]]), *lines[5:]]
        report, sent = _meti_again("\n".join(cut))
        assert sent == []
        (refused,) = report.refused
        assert refused == (
            f"line 5: {lines[0].split(',')[column]}: empty (the list names every entry in"
            " Japanese and in English; its vendor's id holds both)"
        )
        assert (report.lifted, report.withheld, report.unchanged) == (0, 1, 74)


def test_a_meti_date_that_is_none_is_quoted() -> None:
    # "line 4: designation_date: month must be in 1..12", not saying what the cell held.
    head, *rows = METI.read_text(encoding="utf-8-sig").splitlines()[:4]
    rows[2] = rows[2].replace("2022 年03月01 日", "2022 年13月01 日", 1)
    problem = next(e for e in jp_meti.entries(io.StringIO("\n".join([head, *rows]))) if e.line == 4)
    assert problem == RowProblem(
        4,
        "designation_date: the first day '2022 年13月01 日' is not a date (month must be in 1..12)",
    )
