"""OCDS packages as catalog events (pure), on the three real packages' quirks and on small
made-up processes for what they do not show: every party, award and contract accounted for.
Each package is read as the importer reads it: streamed into a scratch database, then mapped."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from services.events.contract import ContractAmended, ContractTerminated
from services.events.vendor import VendorRegistered
from services.imports.ocds.fields import minor_units
from services.imports.ocds.outcomes import Outcome
from services.imports.ocds.parties import scheme_name
from services.imports.ocds.reading import PackageError
from services.registry.domain.names import IdentifierKey
from tests.support.ocds_mapping import Mapped, awarded_of, mapped, small_process

OCDS = Path(__file__).resolve().parents[1] / "data" / "ocds"
ARMENIA = "ocds_armenia_armeps_release_package.json"
MEXICO_APF = "ocds_mexico_apf_record_package.json"
JALISCO = "ocds_mexico_jalisco_release_package.json"


def _package(file: str) -> bytes:
    return (OCDS / file).read_bytes()


def _accounting(result: Mapped) -> dict[str, tuple[int, int, int, int]]:
    return {
        kind: tuple(result.count(kind, o) for o in Outcome)  # type: ignore[misc]
        for kind in ("party", "award", "contract")
    }


def _registered(result: Mapped) -> dict[str, VendorRegistered]:
    return {
        e.vendor_id: e.payload for e in result.events if isinstance(e.payload, VendorRegistered)
    }


def test_the_armenian_release_package() -> None:
    result = mapped(_package(ARMENIA))
    # (applied, unchanged, not imported, refused): 45 parties (21 suppliers, 5 tenderers, 19
    # buyers), 21 awards and 21 contracts, though every release is tagged "tender".
    assert result.processes == 19
    assert _accounting(result) == {
        "party": (26, 0, 19, 0),
        "award": (19, 0, 0, 2),
        "contract": (19, 0, 0, 2),
    }
    # The two refusals: a term that ends (2016-06-27T23:00+04:00) before it starts.
    assert sorted((a.kind, a.path, a.ocid, a.reason) for a in result.refused) == sorted(
        [
            (
                "contract",
                f"releases[{n}].contracts[0]",
                ocid,
                "period: ends_on: 2016-06-27 is before starts_on 2016-06-28;"
                " a term ends on or after the day it starts",
            )
            for n, ocid in (
                (12, "AM-PPS-fe3a8bb4c309998e121728fc3639282e"),
                (13, "AM-PPS-6d6e1d89795032494af23e00879c8979"),
            )
        ]
        + [
            ("award", f"releases[{n}].awards[0]", ocid, "refused with contracts[0]")
            for n, ocid in (
                (12, "AM-PPS-fe3a8bb4c309998e121728fc3639282e"),
                (13, "AM-PPS-6d6e1d89795032494af23e00879c8979"),
            )
        ]
    )
    registered = _registered(result)
    assert len(registered) == result.vendors_registered == 25  # 26 entries, one firm twice
    # A supplier: its AM-TIN (and AM-PPS) number, its names in Armenian and Russian kept.
    pc = registered["ocds:am-tin:01849148"]
    assert pc.legal_name == "PI-SI ELEKTRVoNIKS SPY" and pc.country == "AM"
    assert [(i.scheme, i.value) for i in pc.identifiers] == [
        ("am_tin", "01849148"),
        ("am_pps", "01849148"),
    ]
    assert set(pc.aliases) == {"ՓԻ-ՍԻ ԷԼԵԿՏՐՈՆԻԿՍ ՍՊԸ", "ПИ-СИ ЭЛЕКТРВоНИКС СПЫ"}
    # A tenderer that won nothing is a vendor too; double spaces in names made single.
    assert registered["ocds:am-tin:02588485"].legal_name == "Ayyvounetvvorqs SPY"
    awarded = awarded_of(result)
    assert len(awarded) == result.contracts_awarded == 19
    vendor, network = awarded[
        "ocds:AM-PPS-fd7b426a70b9d7ea26a27f21a8eea687:10d41979-9c4e-4e1a-930f-311167ae07f4"
    ]
    assert vendor == "ocds:am-tin:01849148"
    assert network.model_dump(mode="json") == {
        "contract_id": (
            "ocds:AM-PPS-fd7b426a70b9d7ea26a27f21a8eea687:10d41979-9c4e-4e1a-930f-311167ae07f4"
        ),
        "agency": "Ministry of Finance of the RA",
        "title": "ՀՀ ՖՆ ՇՀԱՊՁԲ-15/8-20/16/1",
        "category": "goods",
        "criticality": "internal",
        "awarded_on": "2016-07-28",  # dateSigned, as written in +04:00
        "starts_on": "2016-07-28",
        "ends_on": "2016-11-18",
        "amount": 698988000,  # 6,989,880.00 AMD in luma
        "currency": "AMD",
    }
    # The contract's value.amount is null: the award's value counts.
    _, passports = awarded[
        "ocds:AM-PPS-72cb4090cbdbcc2fd064c3c3c17dfd49:1f28ed78-6189-47a8-89b1-f0e1b5373ae6"
    ]
    assert (passports.amount, passports.currency) == (630000, "AMD")


def test_the_mexican_federal_record_package() -> None:
    result = mapped(_package(MEXICO_APF))
    assert result.processes == 2  # each record's compiledRelease
    assert _accounting(result) == {
        "party": (2, 0, 4, 0),
        "award": (3, 0, 0, 0),
        "contract": (3, 0, 0, 0),
    }
    registered = _registered(result)
    insurer = registered["ocds:mx-rfc:GAB0709244G5"]  # "Registro Federal de … México"
    assert [(i.scheme, i.value) for i in insurer.identifiers] == [("mx_rfc", "GAB0709244G5")]
    assert insurer.country == "MX"  # "MÉXICO"
    awarded = awarded_of(result)
    _, signed = awarded["ocds:ocds-07smqs-993235:991324"]  # an integer contract id
    assert (signed.awarded_on.isoformat(), signed.amount) == ("2016-01-29", 18965400)
    assert signed.agency == "Instituto Nacional de Antropología e Historia"
    _, unsigned = awarded["ocds:ocds-07smqs-993235:1322806"]  # no dateSigned, no award date
    assert unsigned.awarded_on == unsigned.starts_on and unsigned.amount == 3793071
    # Status "terminated": ended on the last day of the term, reason other.
    ended = [e.payload for e in result.events if isinstance(e.payload, ContractTerminated)]
    assert result.terminated == len(ended) == 3
    assert {(t.contract_id, t.terminated_on.isoformat()) for t in ended} >= {
        ("ocds:ocds-07smqs-993235:991324", "2016-12-31")
    }


def test_the_jalisco_release_package() -> None:
    result = mapped(_package(JALISCO))
    # A supplier and two tenderers are vendors; buyer, procuring entity and payer are not.
    assert _accounting(result) == {
        "party": (3, 0, 3, 0),
        "award": (1, 0, 0, 0),
        "contract": (1, 0, 0, 0),
    }
    registered = _registered(result)
    assert sorted(registered) == [
        "ocds:prov-gob-jal:P00201",
        "ocds:prov-gob-jal:P00716",
        "ocds:prov-gob-jal:P13574",
    ]
    assert {v.country for v in registered.values()} == {"MX"}  # "México" and trailing spaces
    [(vendor, contract)] = awarded_of(result).values()
    assert vendor == "ocds:prov-gob-jal:P00716"
    assert contract.contract_id == "ocds:ocds-xs1qbl-SFIN-03-0007-00-2017:2-64003"
    assert contract.category == "FAM-GOB-JAL:007-011"  # no mainProcurementCategory
    assert (contract.amount, contract.currency) == (17956800, "MXN")
    assert contract.agency.startswith("SEPAF | SECRETARíA DE PLANEACIóN")


@pytest.mark.parametrize("file", [ARMENIA, MEXICO_APF, JALISCO])
def test_mapping_the_same_file_again_gives_the_same_events(file: str) -> None:
    first, again = mapped(_package(file)), mapped(_package(file))
    assert [e.model_dump_json() for e in first.events] == [
        e.model_dump_json() for e in again.events
    ]
    assert len({e.event_id for e in first.events}) == len(first.events)


def test_what_the_registry_has_is_not_registered_again() -> None:
    package = _package(JALISCO)
    by_id = mapped(package, vendors=frozenset({"ocds:prov-gob-jal:P00716"}))
    assert sorted(_registered(by_id)) == ["ocds:prov-gob-jal:P00201", "ocds:prov-gob-jal:P13574"]
    assert by_id.vendors_known == 1
    # A vendor registered by hand with the same identifier gets the contract.
    owners = {IdentifierKey("prov_gob_jal", "P00716"): "city-vendor-17"}
    by_identifier = mapped(package, owners=owners)
    assert "city-vendor-17" not in _registered(by_identifier)
    assert [v for v, _ in awarded_of(by_identifier).values()] == ["city-vendor-17"]


def test_releases_of_one_process_merge_in_date_order_and_give_amendments() -> None:
    first = small_process()
    later = {
        "ocid": "ocds-test-1",
        "id": "r2",
        "date": "2024-10-01T09:00:00+09:00",
        "contracts": [
            {
                "id": "C1",
                "period": {"endDate": "2025-09-30"},
                "value": {"amount": 1200000, "currency": "JPY"},
                "amendments": [{"date": "2024-09-15", "rationale": "extra lane"}],
            }
        ],
    }
    # Later release first in the file: the date orders them.
    result = mapped({"releases": [later, first]})
    assert result.processes == 1 and not result.refused
    registered = _registered(result)["ocds:jp-cn:1234567890123"]
    assert (registered.legal_name, registered.name_en) == ("ベータ", "Beta Works Ltd")
    assert set(registered.aliases) == {"Beta Works Ltd", "Beta Works"}
    [(_, awarded)] = awarded_of(result).values()
    assert (awarded.ends_on.isoformat(), awarded.amount) == ("2025-03-31", 1000000)
    [amended] = [e.payload for e in result.events if isinstance(e.payload, ContractAmended)]
    assert amended.model_dump(mode="json") == {
        "contract_id": "ocds:ocds-test-1:C1",
        "effective_on": "2024-09-15",
        "ends_on": "2025-09-30",
        "amount": 1200000,
        "reason": "extra lane",
    }
    # A record package without compiledRelease: the same.
    record = mapped({"records": [{"ocid": "ocds-test-1", "releases": [first, later]}]})
    assert [e.model_dump_json() for e in record.events] == [
        e.model_dump_json() for e in result.events
    ]


def test_a_joint_award_is_a_contract_record_per_supplier() -> None:
    release = small_process()
    second = copy.deepcopy(release["parties"][1])
    second.update(id="S2", identifier={"scheme": "JP-CN", "id": "2234567890124"})
    release["parties"].append(second)
    release["awards"][0]["suppliers"].append({"id": "S2"})
    awarded = awarded_of(mapped({"releases": [release]}))
    assert {(c, v) for c, (v, _) in awarded.items()} == {
        ("ocds:ocds-test-1:C1", "ocds:jp-cn:1234567890123"),
        ("ocds:ocds-test-1:C1:2", "ocds:jp-cn:2234567890124"),
    }
    assert {p.amount for _, p in awarded.values()} == {1000000}  # each the whole value


def test_what_cannot_be_imported_is_accounted_for_with_its_reason() -> None:
    release = small_process()
    del release["parties"][1]["identifier"]  # a supplier without an identifier
    release["awards"].append({"id": "A2", "status": "pending", "suppliers": []})
    release["contracts"].append({"id": "C2", "awardID": "A9", "status": "active"})
    release["contracts"].append({"id": "C3", "awardID": "A2", "status": "cancelled"})
    result = mapped({"releases": [release]})
    assert result.events == []
    assert [(a.kind, a.path, a.outcome.value, a.reason) for a in result.accounted] == [
        ("party", "releases[0].parties[0]", "not imported", "not a vendor (roles: buyer)"),
        (
            "party",
            "releases[0].parties[1]",
            "refused",
            "identifier: no scheme and id; a vendor is imported by an identifier only"
            " (it could never be matched again)",
        ),
        (
            "contract",
            "releases[0].contracts[0]",
            "refused",
            "awards[0].suppliers: 'S1' is not a vendor party of the release"
            " (missing, or refused above)",
        ),
        (
            "contract",
            "releases[0].contracts[1]",
            "refused",
            "awardID: 'A9' names no award of the release",
        ),
        (
            "contract",
            "releases[0].contracts[2]",
            "not imported",
            "status cancelled: never signed, never in force",
        ),
        ("award", "releases[0].awards[0]", "refused", "refused with contracts[0]"),
        ("award", "releases[0].awards[1]", "not imported", "not imported with contracts[2]"),
    ]


def test_no_currency_is_refused_never_defaulted() -> None:
    release = small_process()
    release["contracts"][0]["value"] = {"amount": 5}
    [refused] = mapped({"releases": [release]}).refused[:1]
    assert refused.reason == "no value.currency in the contract or its award"


def test_a_currency_that_is_none_is_refused_at_value_currency() -> None:
    # Refused as "value.amount: 'XYZ' is not an ISO 4217 currency code": the amount was right.
    for currency, said in (
        ("XYZ", "'XYZ' is not an ISO 4217 code in use"),
        ("mxn", "'mxn' is not an ISO 4217 code in use"),
        ("XXX", "'XXX' is not a currency of payment (ISO 4217 gives it no minor unit)"),
    ):
        release = small_process()
        release["contracts"][0]["value"] = {"amount": 5, "currency": currency}
        [refused] = mapped({"releases": [release]}).refused[:1]
        assert refused.reason == f"value.currency: {said}", currency


def test_amounts_in_the_currencys_smallest_unit() -> None:
    assert minor_units(37930.71, "MXN") == 3793071
    assert minor_units(1000000, "JPY") == 1000000
    assert minor_units("1.5", "KWD") == 1500
    with pytest.raises(ValueError, match="finer than"):
        minor_units(0.001, "USD")
    with pytest.raises(ValueError, match="not a number"):
        minor_units(True, "USD")
    # In the words of the API's receipt and of risk: gold is an ISO 4217 code, of no currency
    # of payment.
    with pytest.raises(ValueError, match=re.escape("'XAU' is not a currency of payment (ISO")):
        minor_units(5, "XAU")
    with pytest.raises(ValueError, match=r"^value.currency: 'XYZ' is not an ISO 4217 code in use$"):
        minor_units(5, "XYZ")


def test_scheme_names() -> None:
    assert scheme_name("AM-TIN") == "am_tin"
    assert scheme_name("Registro Federal de Contribuyentes de México") == "mx_rfc"
    assert scheme_name("PROV-GOB-JAL") == "prov_gob_jal"
    with pytest.raises(ValueError, match="no registry scheme name"):
        scheme_name("12")


def test_a_file_that_is_not_a_package() -> None:
    with pytest.raises(PackageError):
        mapped({"ocid": "a single release, not a package"})


def test_the_award_is_taken_from_the_first_release_that_says_enough_of_it() -> None:
    signed = small_process()
    del signed["contracts"][0]["value"]  # signed first, its value published later
    valued = {
        "ocid": "ocds-test-1",
        "id": "r2",
        "date": "2024-05-01T09:00:00+09:00",
        "contracts": [{"id": "C1", "value": {"amount": 1000000, "currency": "JPY"}}],
    }
    result = mapped({"releases": [signed, valued]})
    [(_, awarded)] = awarded_of(result).values()
    assert (awarded.amount, awarded.awarded_on.isoformat()) == (1000000, "2024-04-01")
    assert result.amended == 0 and not result.refused


def test_parties_sharing_an_identifier_are_one_vendor() -> None:
    release = small_process()
    other = copy.deepcopy(release["parties"][1])
    other.update(
        id="S2",
        roles=["tenderer"],
        identifier={"scheme": "JP-DUNS", "id": "123456789"},
        additionalIdentifiers=[{"scheme": "JP-CN", "id": "1234567890123"}],
    )
    release["parties"].append(other)
    registered = _registered(mapped({"releases": [release]}))
    assert list(registered) == ["ocds:jp-cn:1234567890123"]
    assert [(i.scheme, i.value) for i in registered["ocds:jp-cn:1234567890123"].identifiers] == [
        ("jp_cn", "1234567890123"),
        ("jp_duns", "123456789"),
    ]
