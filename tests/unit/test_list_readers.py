"""The banks' list readers on the quirks of their real files (pure): how each list writes
names, dates, "until further notice" and countries."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from pathlib import Path

from services.events.sanction import SanctionImposed, SanctionKind
from services.events.vendor import VendorKind, VendorRegistered
from services.imports.entries import ListEntry, RowProblem, ground_code
from services.imports.events import entry_events
from services.imports.lists import ebrd, idb, worldbank
from services.imports.lists.countries import country_code
from services.imports.lists.other_names import split_name

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"


def _read(reader: object, file: str) -> list[ListEntry | RowProblem]:
    with (LISTS / file).open(encoding="utf-8-sig", newline="") as stream:
        return list(reader.entries(stream))  # type: ignore[attr-defined]


def _by_line(entries: list[ListEntry | RowProblem], line: int) -> ListEntry:
    found = next(e for e in entries if e.line == line)
    assert isinstance(found, ListEntry)
    return found


def test_the_world_banks_list() -> None:
    entries = _read(worldbank, "worldbank_debarred_firms_individuals.csv")
    assert len(entries) == 1285 and not [e for e in entries if isinstance(e, RowProblem)]
    renamed = _by_line(entries, 246)  # "(FORMERLY KNOWN AS …) *456", until 2999-12-31
    assert renamed.aliases == ("HANOITC EXPERT JOINT STOCK COMPANY",)
    assert renamed.last_day is None and renamed.country == "VN"
    branch = _by_line(entries, 17)  # the name in Chinese beside the English one
    assert branch.aliases == ("河北建设集团股份有限公司清远分公司",)
    assert (branch.starts_on, branch.last_day) == (dt.date(2024, 8, 22), dt.date(2027, 7, 22))


def test_the_world_banks_other_names_however_the_list_introduces_them() -> None:
    entries = _read(worldbank, "worldbank_debarred_firms_individuals.csv")
    # Former and trading names were lost unless written "(aka …)" or "(formerly known as …)":
    # a debarred firm screened under its former name was missed.
    for line, alias in {
        252: "Constructora Fajardo Nieto Ltda.",  # (f.k.a …)
        351: "MC Consulting Ltda.",  # (formerly …)
        374: "Shaanxi Neoplan Trading Co., Ltd.",  # (f.k.a [...])
        425: "Lotte Innovate Company, Limited",  # (now known as …)
        666: "A2Z Maintenance & Engineering Services Limited",  # (Previously known as …)
        698: "Parkeon Transit Limited",  # (formerly operating as: …)
        727: "Ltd Dagi",  # (also d/b/a …)
        760: "Sujainco",  # (also doing business as …)
        1041: "OOO ARMADA CENTER",  # (CURRENTLY KNOWN AS …)
        1092: "J.M. COMÉRCIO DE EQUIPAMENTOS LTDA",  # (DBA …)
        970: "ECOGRAPHY COMPANY",  # outside brackets: "*294 AKA …"
        924: "MR. PEDRO CÉSAR LAZO MONTEJO",  # ", also …"
    }.items():
        assert _by_line(entries, line).aliases == (alias,), line
    # Notes are no names: an address, a successor's prose, a footnote's continuation.
    for line in (245, 974, 726):
        assert _by_line(entries, line).aliases == (), line


def test_another_name_in_square_brackets_is_that_name() -> None:
    # The list brackets "f.k.a" both ways (line 374: "(f.k.a [...])"); "[f.k.a. X]" was the
    # alias "[f.k.a. X]", which no screening of X finds as written.
    assert worldbank.other_names("[f.k.a. Shaanxi Neoplan Trading Co., Ltd.] *677") == (
        "Shaanxi Neoplan Trading Co., Ltd.",
    )
    assert worldbank.other_names("陕西 [aka Neoplan]") == ("Neoplan", "陕西")


def test_a_bare_aka_dba_or_formerly_inside_a_name_is_a_word_of_it() -> None:
    # "aka", "dba" and "formerly" alone split any name they were words of: HOTEL, also
    # known as TOKYO LTD.
    for cell in (
        "HOTEL AKA TOKYO LTD",
        "GRUPO DBA INGENIERIA S.A.",
        "AKA HOLDINGS LIMITED",
        "DBA TECHNOLOGIES LLC",
        "FORMERLY YOURS BOUTIQUE LTD",
    ):
        assert split_name(cell) == (cell, ()), cell
    # After a comma or semicolon, after the legal form that ends the firm's name (the
    # EBRD's lines 269 and 1108), or dotted, slashed or in words, they still introduce one.
    for cell, name, other in (
        ("HOTEL SAKURA LTD, aka TOKYO HOTEL", "HOTEL SAKURA LTD", "TOKYO HOTEL"),
        ("Rufat Majidov; dba Majidov Trading", "Rufat Majidov", "Majidov Trading"),
        ("Ecograph LLC aka Ecography Company", "Ecograph LLC", "Ecography Company"),
        (
            "Pyramind E&C Co. Ltd. Formerly PMA Property Management Agent Co., Ltd.",
            "Pyramind E&C Co. Ltd.",
            "PMA Property Management Agent Co., Ltd.",
        ),
        (
            "MR. G.I.P. GUNATHILAKE A.K.A. INDRALAL GUNATHILAKE",
            "MR. G.I.P. GUNATHILAKE",
            "INDRALAL GUNATHILAKE",
        ),
        ("HOTEL AKA TOKYO LTD f/k/a HOTEL TOKYO", "HOTEL AKA TOKYO LTD", "HOTEL TOKYO"),
        (
            "LTD Dagi Also doing business as Dagi LLC",
            "LTD Dagi",
            "Dagi LLC",
        ),
        ("SOL DE MAYO S.R.L. (dba SOLMAYO)", "SOL DE MAYO S.R.L.", "SOLMAYO"),
    ):
        assert split_name(cell) == (name, (other,)), cell
    assert split_name("A.K.A. INDRALAL GUNATHILAKE") == ("INDRALAL GUNATHILAKE", ())


def test_a_date_that_is_none_is_named() -> None:
    # The parser's "Invalid isoformat string: '202'" said neither which date nor that the
    # row holds one.
    head = "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    head += "Ineligibility Period To Date,Grounds"
    cut = f"{head}\nX LTD,,1 STREET,Chile,2021-03-04,202"
    (problem,) = worldbank.entries(io.StringIO(f"{cut},Fraud"))
    assert problem == RowProblem(2, "ineligibility period: the last day '202' is not a date")
    leap = f"{cut}3-02-29,Fraud"
    (problem,) = worldbank.entries(io.StringIO(leap))
    assert problem == RowProblem(
        2,
        "ineligibility period: the last day '2023-02-29' is not a date"
        " (day is out of range for month)",
    )


def test_an_empty_last_day_is_until_further_notice_only_where_the_list_writes_it_so() -> None:
    # An empty cell read as "until further notice" on every list, for the EBRD's two rows:
    # the World Bank's GES PLAN (line 5, 2024-12-03 to 2026-12-02) with its To Date blanked
    # was barred for ever, and its recorded debarment amended so.
    text = (LISTS / "worldbank_debarred_firms_individuals.csv").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[4] = lines[4].replace(",2026-12-02,", ",,")
    problems = [e for e in worldbank.entries(io.StringIO("\n".join(lines))) if e.line == 5]
    assert problems == [
        RowProblem(
            5,
            "ineligibility period: the last day '' is not a date: Ineligibility Period To Date"
            ' is empty, and the list writes "until further notice" as 2999-12-31',
        )
    ]
    # The IDB writes it "Ongoing" (447 rows, none empty); the EBRD leaves it empty at times.
    head = "Title,Entity,Nationality,Country,From,To,Grounds,Source\n"
    (problem,) = idb.entries(io.StringIO(f'{head}X Ltd,Firm,Chile,Chile,"Jul 03, 2024",,F,IDB'))
    assert problem == RowProblem(
        2,
        "From/To: the last day '' is not a date: To is empty, and the list writes"
        ' "until further notice" as Ongoing',
    )
    ebrds = _read(ebrd, "ebrd_ineligible_entities.csv")
    assert [
        (_by_line(ebrds, line).name, _by_line(ebrds, line).last_day) for line in (804, 1224)
    ] == [
        ("LLC Woodmanmebel", None),
        ("Taizhou Saierlndustrial Ltd", None),
    ]


def test_what_the_world_bank_says_of_a_debarments_reach_stays_with_the_sanction() -> None:
    # The list limits a debarment in a bracket of "Additional Firm Info", which no agency or
    # category of ours can say; it was dropped, and the firm read as barred everywhere with
    # nothing to tell an officer otherwise.
    entries = _read(worldbank, "worldbank_debarred_firms_individuals.csv")
    egis = _by_line(entries, 13)
    assert egis.name == "EGIS WATER AND MARITIME" and egis.aliases == ()
    assert egis.reach == ("BUT ONLY FOR ITS BUSINESS OPERATIONS IN THE WATER AND SANITATION SECTOR")
    [imposed] = [e.payload for e in entry_events(egis, register=False).events]
    assert isinstance(imposed, SanctionImposed)
    assert imposed.reason == (
        "Cross Debarment: IDB (BUT ONLY FOR ITS BUSINESS OPERATIONS IN THE WATER AND"
        " SANITATION SECTOR)"
    )
    assert imposed.agencies is None and imposed.categories is None
    controls = _by_line(entries, 470)
    assert controls.reach == (
        "and all entities that it controls, except NJS E&M Co. and NJS Engineers India Pvt. Ltd."
    )
    # Every other row says nothing of its reach: its reason is its grounds, as before.
    others = [e for e in entries if isinstance(e, ListEntry) and e.line not in (13, 470)]
    assert not [e.line for e in others if e.reach is not None]


def test_what_the_ebrd_and_the_idb_say_of_a_reach_in_a_name_is_not_the_name() -> None:
    # The EBRD writes the reach after a person's name in Firm Name, the IDB in a bracket of
    # Title: both were the vendor's legal name ("Mr. Rabin … Amraev and any entity controlled
    # …"), with no note, and screening "Rabin Akhmedzhanovich Amraev" matched it poorly.
    ebrd_entries = _read(ebrd, "ebrd_ineligible_entities.csv")
    rabin = _by_line(ebrd_entries, 958)
    assert (rabin.name, rabin.aliases) == ("Mr. Rabin Akhmedzhanovich Amraev", ())
    assert rabin.reach == (
        "and any entity controlled directly or indirectly by Mr. Rabin Akhmedzhanovich Amraev,"
        " which was established (i.e. in existence) on or before 31 December 2019"
    )
    assert rabin.written is not None and rabin.written.startswith(f"{rabin.name} and any")
    [imposed] = [e.payload for e in entry_events(rabin, register=False).events]
    assert isinstance(imposed, SanctionImposed) and imposed.reason is not None
    assert imposed.reason.endswith(f"({rabin.reach})")
    egis = _by_line(ebrd_entries, 264)
    assert (egis.name, egis.reach) == (
        "EGIS WATER AND MARITIME",
        "business operations in the Water and Sanitation Sector",
    )
    reached = {e.line for e in ebrd_entries if isinstance(e, ListEntry) and e.reach}
    assert reached == {264, 912, 958}
    idb_entries = _read(idb, "iadb_sanctioned_firms_individuals.csv")
    idb_egis = next(e for e in idb_entries if isinstance(e, ListEntry) and e.reach)
    assert (idb_egis.name, idb_egis.reach) == (
        "Egis Water and Maritime",
        "but only for its business operations in the Water and Sanitation Sector",
    )
    assert [e.line for e in idb_entries if isinstance(e, ListEntry) and e.reach] == [idb_egis.line]


def test_the_idbs_list() -> None:
    entries = _read(idb, "iadb_sanctioned_firms_individuals.csv")
    assert len(entries) == 1081 and not [e for e in entries if isinstance(e, RowProblem)]
    weihai = _by_line(entries, 4)  # "Feb 17, 2022", " Fraud", AfDB cross debarment
    assert (weihai.starts_on, weihai.last_day) == (dt.date(2022, 2, 17), dt.date(2024, 10, 18))
    assert weihai.grounds == "Fraud (AfDB cross debarment)"
    assert weihai.aliases == ("威海建设集团股份有限公司第一建筑分公司",)
    # A letter of reprimand bars no one: recorded as a warning, the debarments as debarments.
    kinds = Counter(e.kind for e in entries if isinstance(e, ListEntry))
    assert kinds == {SanctionKind.DEBARMENT: 1080, SanctionKind.WARNING: 1}
    reprimand = _by_line(entries, 659)
    assert reprimand.kind is SanctionKind.WARNING
    (imposed,) = [e for e in entry_events(reprimand, register=False).events]
    assert isinstance(imposed.payload, SanctionImposed)
    assert imposed.payload.kind is SanctionKind.WARNING


def test_the_idbs_individuals_are_registered_as_individuals() -> None:
    # The Entity column was dropped, and the exclusions CSV classified all 1,081 as "Firm".
    entries = [
        e for e in _read(idb, "iadb_sanctioned_firms_individuals.csv") if isinstance(e, ListEntry)
    ]
    kinds = Counter(e.vendor_kind for e in entries)
    assert kinds == {VendorKind.FIRM: 848, VendorKind.INDIVIDUAL: 233}
    person = next(e for e in entries if e.vendor_kind is VendorKind.INDIVIDUAL)
    registered = entry_events(person, register=True).events[0]
    assert isinstance(registered.payload, VendorRegistered)
    assert registered.payload.kind is VendorKind.INDIVIDUAL


def test_a_list_that_does_not_say_registers_a_vendor_of_no_kind_as_before() -> None:
    # "MR. RUFAT MAJIDOV" is a person, but the World Bank's list does not say which: no guess,
    # and the registration is written as before (no `kind`), its stored events' hashes kept.
    (majidov, *_) = _read(worldbank, "worldbank_debarred_firms_individuals.csv")
    assert isinstance(majidov, ListEntry) and majidov.vendor_kind is None
    registered = entry_events(majidov, register=True).events[0]
    assert '"kind"' not in registered.model_dump_json()


def test_the_ebrds_list() -> None:
    entries = _read(ebrd, "ebrd_ineligible_entities.csv")
    assert len(entries) == 1322 and not [e for e in entries if isinstance(e, RowProblem)]
    first = _by_line(entries, 2)  # a byte-order mark, a leading space, ISO timestamps
    assert first.name == "China Gezhouba Group Co., Ltd. by Shares Nigeria Co., Ltd."
    assert (first.starts_on, first.last_day) == (dt.date(2024, 7, 1), dt.date(2025, 5, 31))
    ongoing = _by_line(entries, 6)  # no "Ineligible From": the notice date; "Ongoing"
    assert (ongoing.starts_on, ongoing.last_day) == (dt.date(2017, 5, 31), None)
    assert ongoing.grounds == "Corrupt Practice (World Bank Group)"


def test_a_row_that_cannot_be_read_is_a_problem_with_its_line() -> None:
    csv = (
        "Title,Entity,Nationality,Country,From,To,Grounds,Source\n"
        "X Ltd,Firm,Chile,Chile,someday,,Fraud,IDB\n"
    )
    (problem,) = idb.entries(io.StringIO(csv))
    assert isinstance(problem, RowProblem) and problem.line == 2
    assert problem.reason.startswith("From/To:")


def test_countries_as_the_banks_write_them() -> None:
    assert country_code("Korea, Republic of") == "KR"
    assert country_code("Hong Kong SAR, China") == "HK"
    assert country_code("Indonesia\n\n\nIndonesia") == "ID"
    assert country_code("Kosovo") == "XK"  # not Serbia, as a fuzzy match would have it
    assert country_code("Atlantis") is None


def test_grounds_as_ground_codes() -> None:
    assert ground_code("Fraudulent and Corrupt Practices") == "fraudulent_and_corrupt_practices"
    assert ground_code("1.22(a)(ii) Guidelines").startswith("g_1_22_a_ii")
    assert len(ground_code("x" * 200)) == 64


def test_a_name_in_another_script_in_brackets_is_an_alias() -> None:
    # "Additional Firm Info" gives the firm's name in Chinese in brackets on ~60 rows (lines
    # 288-319, 532, 697, 753, 754, …): all were dropped, bracketed ones being set aside as
    # notes, so no search for the Chinese name found the debarred firm.
    assert worldbank.other_names("(中工国际工程股份有限公司)") == ("中工国际工程股份有限公司",)
    entries = _read(worldbank, "worldbank_debarred_firms_individuals.csv")
    for line, aliases in {
        532: ("中工国际工程股份有限公司",),
        754: ("梁晓晓",),
        753: ("张方俊",),
        # Full-width brackets within, a tax id beside it (a known gap, not a name).
        697: ("方正国际软件（北京）有限公司",),
        # A registration number beside it; an "f.k.a" name before it.
        288: ("新疆新交建和康公路项目管理有限公司",),
        303: ("XCCG Municipal Works Construction Co., Ltd.", "新疆交建市政工程有限责任公司"),
        # Two names in one bracket.
        313: ("新疆交通建设集团股份有限公司", "新疆交建"),
        # Brackets within the name were dropped and the outer ones kept: "(河南省地矿建设工程
        # 有限公司)".
        359: ("河南省地矿建设工程(集团)有限公司",),
    }.items():
        assert _by_line(entries, line).aliases == aliases, line
    # Registration numbers and the list's own words in brackets are no names.
    for line in (247, 259, 265, 440, 463, 1126, 1176):
        assert _by_line(entries, line).aliases == (), line


def test_a_designated_list_of_names_is_each_name_and_brackets_stay_in_a_name() -> None:
    entries = _read(worldbank, "worldbank_debarred_firms_individuals.csv")
    for line, aliases in {
        # "X or Y", and "X and Y" with a lowercase "and" between names in capitals.
        1049: ("Laxmi Narayan Construction", "Laxminarayan Construction"),
        1050: ("LAXMI NARAYAN CONSTRUCTION", "LAXMINARAYAN MALLICK"),
        1051: ("LAXMINARAYAN MALLICK", "Laxminarayan Construction"),
        # ", d/b/a A, B, C": three names.
        1047: (
            "Groupe Systèmes et Solutions D’entreprise",
            "ESS Group",
            "Enterprise Systems and Solutions Group",
        ),
        # A bracket within or after a name is part of it: without it, 1142's alias was the
        # exact name of two other listed firms (lines 1135, 1140).
        1142: ("URALKOTLOSERVICE PKF ZAO (TAMBOV)",),
        1280: ("LONESTAR SUPPLIES AND LOGISTICS (PVT) LTD",),
        # "(FKA …)" after a name introduces another.
        705: ("SAO BAC DAU TECHNOLOGY SERVICE JOINT STOCK COMPANY", "SBD Service"),
    }.items():
        assert _by_line(entries, line).aliases == aliases, line
    assert worldbank.other_names("AKA LONESTAR SUPPLIES AND LOGISTICS (PVT) LTD") == (
        "LONESTAR SUPPLIES AND LOGISTICS (PVT) LTD",
    )
    # "and" and commas inside one name keep it whole.
    for info, name in (
        ("(aka Smith and Sons Ltd)", "Smith and Sons Ltd"),
        ("(AKA SMITH AND SONS LTD)", "SMITH AND SONS LTD"),
        ("(aka Lotte Innovate Company, Limited)", "Lotte Innovate Company, Limited"),
        ("(aka AL THUHAT COMPANY, GENERAL CONTRACTING AND TRADE)", None),
        ("(d/b/a Smith, Jones and Partners)", "Smith, Jones and Partners"),
    ):
        name = name or info[5:-1]
        assert worldbank.other_names(info) == (name,), info
