"""Which vendor a list's entity joins (pure): its own entry, an identifier, its name and
country (only one vendor, equal resolution forms), or a new vendor with candidates for review."""

from __future__ import annotations

from services.imports.resolution import (
    JOIN_SCORE,
    Entity,
    How,
    Known,
    Resolver,
    resolution_form,
)
from services.registry.domain.names import normalize_identifier

CN = normalize_identifier("corporate_number", "7010001008844")
KNOWN = [
    Known("worldbank:cnn-1", "GE", ("CNN CAUCASIA LLC",)),
    Known("worldbank:nishan-1", "GB", ("NISHAN ENGINEERS UK LTD.",), ("Nishan UK",)),
    Known("hand:b-info", "JP", ("株式会社ビー情報",), identifiers=(CN,)),
    Known("worldbank:hebei-qy-1", "CN", ("HEBEI CONSTRUCTION GROUP LIMITED QINGYUAN BRANCH",)),
    Known("ocds:hebei-qy-2", "CN", ("Hebei Construction Group Co., Ltd. Qingyuan Branch",)),
]


def _entity(name: str, country: str | None, *aliases: str, own: str = "idb:x") -> Entity:
    return Entity(own, own.split(":")[0], name, aliases, country)


def test_resolution_forms_set_aside_legal_forms_titles_and_short_names() -> None:
    assert resolution_form("CNN Caucasia LLC") == resolution_form("CNN CAUCASIA L.L.C.")
    assert resolution_form("Mr. Zakir Hossain") == resolution_form("ZAKIR HOSSAIN")
    assert resolution_form("Vital Supplies and Logistics Ltd (Vital)") == resolution_form(
        "VITAL SUPPLIES AND LOGISTICS LTD"
    )
    sbd = "Sao Bac Dau South Technology Joint Stock Company"
    assert resolution_form(f"{sbd} (SBD South)") == resolution_form(sbd)  # initials
    # A bracketed word of its own (a branch's town) is part of the name.
    assert resolution_form("Uralkotloservice Pkf Zao (Tambov)") != resolution_form(
        "Uralkotloservice Pkf Zao"
    )


def test_a_strong_identifier_joins() -> None:
    resolver = Resolver("jp_meti", KNOWN)
    found = resolver.resolve(
        Entity("jp_meti:cn-7010001008844", "jp_meti", "B Information", (), "JP", (CN,))
    )
    assert (found.vendor_id, found.how) == ("hand:b-info", How.IDENTIFIER)
    assert found.aliases == ("B Information",)  # the name it lacks becomes an alias


def test_the_same_name_in_the_same_country_joins_with_the_new_names_as_aliases() -> None:
    resolver = Resolver("idb", KNOWN)
    found = resolver.resolve(_entity("CNN Caucasia LLC", "GE", "სიენენ კავკასია"))
    assert (found.vendor_id, found.how, found.score) == ("worldbank:cnn-1", How.NAME_COUNTRY, 100)
    assert found.matched_name == "CNN CAUCASIA LLC" and JOIN_SCORE == 100
    assert found.aliases == ("სიენენ კავკასია",)  # "CNN Caucasia LLC" is the same name
    # A later entity finds the vendor by the alias the first one brought.
    assert resolver.resolve(_entity("სიენენ კავკასია", "GE", own="idb:y")).how is How.NAME_COUNTRY
    nishan = resolver.resolve(_entity("Nishan Engineers UK Ltd.", "GB", own="idb:z"))
    assert nishan.vendor_id == "worldbank:nishan-1" and nishan.aliases is None


def test_two_vendors_of_the_name_are_ambiguous_and_nothing_merges() -> None:
    resolver = Resolver("idb", KNOWN)
    found = resolver.resolve(
        _entity("Hebei Construction Group Corporation Limited Qingyuan Branch", "CN")
    )
    assert (found.vendor_id, found.how) == ("idb:x", How.NEW)
    assert {c.vendor_id for c in found.candidates} >= {
        "worldbank:hebei-qy-1",
        "ocds:hebei-qy-2",
    }


def test_below_the_threshold_a_new_vendor_and_a_candidate() -> None:
    resolver = Resolver("idb", KNOWN)
    found = resolver.resolve(_entity("CNN Caucasia Holding LLC", "GE"))
    assert (found.vendor_id, found.how) == ("idb:x", How.NEW)
    [candidate] = found.candidates
    assert candidate.vendor_id == "worldbank:cnn-1" and 90 <= candidate.score < 100


def test_another_country_or_none_does_not_join() -> None:
    resolver = Resolver("idb", KNOWN)
    found = resolver.resolve(_entity("CNN Caucasia LLC", "AM"))
    assert found.how is How.NEW
    assert [(c.vendor_id, c.why) for c in found.candidates] == [
        ("worldbank:cnn-1", "same name, other country (GE)")
    ]
    assert resolver.resolve(_entity("CNN Caucasia LLC", None, own="idb:y")).how is How.NEW


def test_a_lists_own_entities_stay_apart_and_its_own_entry_is_found_again() -> None:
    resolver = Resolver("worldbank", KNOWN)
    # The same name at another address on the same list: another firm, as the list says.
    other = resolver.resolve(_entity("CNN CAUCASIA LLC", "GE", own="worldbank:cnn-2"))
    assert (other.vendor_id, other.how, other.candidates) == ("worldbank:cnn-2", How.NEW, ())
    # The list's own entity again (a second row, or an earlier import): its vendor.
    assert resolver.resolve(_entity("CNN CAUCASIA LLC", "GE", own="worldbank:cnn-1")).how is How.OWN
    assert resolver.resolve(_entity("CNN CAUCASIA LLC", "GE", own="worldbank:cnn-2")).how is How.OWN
    # An entity recorded on a vendor of another list by an earlier import.
    resolver.note("worldbank:moved", "ocds:hebei-qy-2")
    assert resolver.resolve(_entity("X", "CN", own="worldbank:moved")).vendor_id == (
        "ocds:hebei-qy-2"
    )


def test_the_same_name_with_another_identifier_of_the_scheme_does_not_join() -> None:
    other = normalize_identifier("corporate_number", "2010401089234")
    resolver = Resolver("jp_meti", KNOWN)
    found = resolver.resolve(
        Entity("jp_meti:cn-2010401089234", "jp_meti", "株式会社ビー情報", (), "JP", (other,))
    )
    assert found.how is How.NEW
    assert [c.why for c in found.candidates] == ["same name and country, another corporate_number"]


def test_a_short_alias_is_no_candidate_for_the_longer_names_holding_its_letters() -> None:
    """An entity's acronym or short alias ("GRU", "FT", "EC") is compared as a whole word: a
    list's import had proposed "Grupo Feder S.A." for the GRU and "VENUS SOFTWARES" for an
    "FT", at 90 (WRatio's partial score), a dozen such lines in one import."""
    known = [
        Known("idb:grupo-feder", "AR", ("Grupo Feder S.A.",)),
        Known("worldbank:venus", "IN", ("VENUS SOFTWARES",)),
        Known("worldbank:a2z", "IN", ("A2Z POWERTECH LTD.",)),
        Known("ebrd:gru-works", "RU", ("GRU Works",)),
    ]
    resolver = Resolver("jp_meti", known)
    gru = resolver.resolve(_entity("参謀本部情報総局", "RU", "GRU", own="jp_meti:1"))
    assert [c.vendor_id for c in gru.candidates] == ["ebrd:gru-works"]  # "GRU" as a word: 90
    for name, alias in (("フォルステクノロジー", "FT"), ("有限会社エンジニアリングセンター", "EC")):
        assert resolver.resolve(_entity(name, "JP", alias, own=f"jp_meti:{alias}")).candidates == ()
    # Nor the other way: a later list's "Grupo …" does not find the GRU's alias.
    later = Resolver("ebrd2", [*known, Known("jp_meti:1", "RU", ("参謀本部情報総局",), ("GRU",))])
    found = later.resolve(_entity("Grupo Cesa S.A.", "MX", own="ebrd2:x"))
    assert "jp_meti:1" not in [c.vendor_id for c in found.candidates]
