"""An OCDS package read as a stream: its own fields before or after its releases, the releases
of one process anywhere in the file, and a broken file or one nested too deep refused with
where it broke, before any event is made."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from services.events.vendor import VendorRegistered
from services.imports.ocds.mapping import mapped as mapped_events
from services.imports.ocds.outcomes import Tally
from services.imports.ocds.reading import BACKEND, MAX_DEPTH, PackageError, read
from services.imports.ocds.scratch import OcdsScratch
from tests.support.ocds_mapping import mapped
from tests.support.peak_memory import peaks

OCDS = Path(__file__).resolve().parents[1] / "data" / "ocds"
ARMENIA = (OCDS / "ocds_armenia_armeps_release_package.json").read_bytes()
JALISCO = (OCDS / "ocds_mexico_jalisco_release_package.json").read_bytes()
PUBLISHED = "2024-06-01T00:00:00+00:00"


def _release(ocid: str, release_id: str, date: str | None, supplier: str) -> dict[str, Any]:
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": release_id,
        "buyer": {"id": "B", "name": "City Roads Office"},
        "parties": [
            {"id": "B", "name": "City Roads Office", "roles": ["buyer"]},
            {
                "id": "S",
                "name": f"Works {supplier}",
                "identifier": {"scheme": "JP-CN", "id": supplier},
                "roles": ["supplier"],
            },
        ],
        "awards": [{"id": "A", "suppliers": [{"id": "S"}]}],
        "contracts": [
            {
                "id": "C",
                "awardID": "A",
                "title": "Road repair",
                "period": {"startDate": "2024-04-01", "endDate": "2025-03-31"},
                "value": {"amount": 1000, "currency": "JPY"},
            }
        ],
    }
    if date is not None:
        release["date"] = date
    return release


def _dumped(result: Any) -> list[str]:
    return [e.model_dump_json() for e in result.events]


def _release_starts(raw: bytes) -> list[int]:
    """Where each release of the Armenian package (indent 2) begins: its `{`."""
    return [m.start() + 5 for m in re.finditer(rb"\n    \{\n", raw)]


def test_the_package_fields_may_come_after_the_releases() -> None:
    undated = _release("ocds-1", "r1", None, "1234567890123")
    first = mapped({"publishedDate": PUBLISHED, "releases": [undated]})
    last = mapped({"releases": [undated], "extensions": [], "publishedDate": PUBLISHED})
    assert _dumped(first) == _dumped(last) and first.contracts_awarded == 1
    # The undated release's vendor registered when the package was published.
    [registered] = [e for e in last.events if isinstance(e.payload, VendorRegistered)]
    assert registered.occurred_at.isoformat() == PUBLISHED
    # The real Armenian package has its publishedDate after its releases.
    assert ARMENIA.index(b'"publishedDate"') > ARMENIA.index(b'"releases"')


def test_the_releases_of_one_process_apart_in_the_file_are_merged_as_one() -> None:
    tender = _release("ocds-1", "r1", "2024-04-01T09:00:00+09:00", "1234567890123")
    extended = copy.deepcopy(tender)
    extended.update(id="r2", date="2024-10-01T09:00:00+09:00")
    extended["contracts"][0]["period"]["endDate"] = "2025-09-30"
    other = _release("ocds-2", "r1", "2024-05-01T09:00:00+09:00", "2234567890124")
    apart = mapped({"releases": [tender, other, extended]})
    together = mapped({"releases": [tender, extended, other]})
    assert _dumped(apart) == _dumped(together)
    assert (apart.processes, apart.amended) == (2, 1)
    paths = [a.path for a in apart.accounted if a.kind == "contract"]
    assert paths == [
        "releases[0, 2] (merged in date order).contracts[0]",
        "releases[1].contracts[0]",
    ]


def test_a_byte_order_mark_is_read_past() -> None:
    assert _dumped(mapped(b"\xef\xbb\xbf" + JALISCO)) == _dumped(mapped(JALISCO))


def _refusal(raw: bytes) -> str:
    with OcdsScratch() as scratch, pytest.raises(PackageError) as refused:
        read(io.BytesIO(raw), scratch)
    return str(refused.value)


def test_a_truncated_package_is_refused_saying_where_it_ends() -> None:
    cut = _release_starts(ARMENIA)[7] + 1000  # inside the eighth release
    assert _refusal(ARMENIA[:cut]) == (
        f"not complete JSON: the file ends at byte {cut:,} (truncated), in releases[7]"
        " (7 releases read whole before it)"
    )


def test_the_json_parser_is_ijsons_c_backend() -> None:
    # What services/imports/README.md and the benchmark say, and what tells where a file broke
    # to the chunk.
    assert BACKEND == "yajl2_c"


def test_a_malformed_package_is_refused_with_the_bytes_and_release_where_it_broke() -> None:
    at = _release_starts(ARMENIA)[3] + 1  # just inside the fourth release's `{`
    said = _refusal(ARMENIA[:at] + b",," + ARMENIA[at:])
    found = re.fullmatch(
        r"not complete JSON: parse error: invalid object key \(must be a string\),"
        r" within bytes ([\d,]+)–([\d,]+), in releases\[3\] \(3 releases read whole before it\)",
        said,
    )
    assert found, said
    first, last = (int(n.replace(",", "")) for n in found.groups())
    assert first <= at <= last


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        (b"[]", "an OCDS package is a JSON object"),
        (b'{"uri": "x"}', "neither a release package (`releases`) nor a record package"),
        (b'{"releases": [{"ocid": "a"}, 5]}', "releases[1]: not an object"),
        (b'{"releases": []} trailing', "not complete JSON: parse error: trailing garbage"),
    ],
)
def test_what_is_not_a_package_is_refused_with_its_reason(package: bytes, reason: str) -> None:
    assert _refusal(package).startswith(reason)


def test_a_record_that_cannot_be_read_stops_the_mapping_before_any_event() -> None:
    good = {"ocid": "ocds-1", "compiledRelease": _release("ocds-1", "r1", None, "1234567890123")}
    package = json.dumps({"records": [good, {"ocid": "ocds-2", "releases": []}]}).encode()
    with OcdsScratch() as scratch:
        events = mapped_events(read(io.BytesIO(package), scratch), scratch, Tally())
        with pytest.raises(PackageError, match=r"records\[1\]: no compiledRelease"):
            next(events)  # not even the first record's vendor


def _nested(levels: int) -> list[Any]:
    """Arrays `levels` deep: [[…[]…]]."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def test_a_release_nested_as_deep_as_allowed_is_read_and_mapped() -> None:
    # The package's object, `releases` and the release are 3 levels; `deep` the rest.
    release = {**_release("ocds-1", "r1", None, "1234567890123"), "deep": _nested(MAX_DEPTH - 3)}
    assert mapped({"releases": [release]}).contracts_awarded == 1


@pytest.mark.parametrize(
    ("package", "inside"),
    [
        ({"releases": [{"ocid": "ocds-1"}, {"deep": _nested(MAX_DEPTH - 2)}]}, "releases[1]"),
        ({"publisher": {"deep": _nested(MAX_DEPTH - 1)}, "releases": []}, "outside `releases`"),
    ],
)
def test_a_package_nested_too_deep_is_refused_saying_where(
    package: dict[str, Any], inside: str
) -> None:
    raw = json.dumps(package).encode()
    assert _refusal(raw).startswith(
        f"nested too deep: arrays and objects over {MAX_DEPTH} levels within each other"
        f" (within bytes 0–{len(raw):,}), in {inside}"
    )


def read_deep(path: Path) -> None:
    """What `peaks` measures, in an interpreter of its own: the package at `path` read, or
    refused."""
    with OcdsScratch() as scratch, path.open("rb") as file, contextlib.suppress(PackageError):
        read(file, scratch)


def test_a_small_file_nested_thousands_deep_takes_little_memory(tmp_path: Path) -> None:
    # 12 KB of brackets. Read with each event's path (`publisher.item.item…`), as ijson's
    # `parse` spells it for a whole chunk of the file before its first event is seen, this
    # took 88 MiB (and 160 KB of them 10 GB); its events alone take under 1 MiB.
    path = tmp_path / "deep.json"
    deep = 6_000
    path.write_text('{"publisher": ' + "[" * deep + "]" * deep + ', "releases": []}')
    _, traced, _ = peaks(path, "tests.unit.test_ocds_reading:read_deep")
    assert traced < 8 << 20
