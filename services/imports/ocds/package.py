"""An OCDS 1.1 package's contracting processes, compiled one at a time from the import's
scratch database (where `reading.py` put the file's releases or records).

A *release package* lists releases; a *record package* lists records (one per process, its
releases and usually a `compiledRelease`). Either becomes `Process`es, one per `ocid` (a
process at a time in memory, whatever the package's size):

- a record's `compiledRelease` when it has one, else its releases merged in date order;
- a release package's releases grouped by `ocid`: a single release is taken as it is, several
  (a process published as its tender, award and contract releases) are merged in date order.

Merging follows OCDS's merge rule, simplified: a later release's value replaces an earlier
one's, objects merge field by field, arrays of objects with an `id` (parties, awards,
contracts, amendments, items) merge by `id`, other arrays are replaced, and a `null` removes
the field. Releases are never judged by their `tag` (Armenia's are all tagged "tender" though
they carry awards and contracts): what a release holds is what counts. Unknown fields
(Armenia's undeclared `bids`, Jalisco's top-level `_id`) are ignored, not refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from services.imports.ocds.fields import JSON
from services.imports.ocds.reading import Package, PackageError
from services.imports.ocds.scratch import OcdsScratch


@dataclass(frozen=True)
class Process:
    """One contracting process (an `ocid`) as one release."""

    ocid: str
    where: str  # where the package has it: "releases[3]", "records[0].compiledRelease"
    versions: tuple[JSON, ...]  # the process as each of its releases left it, oldest first

    @property
    def release(self) -> JSON:
        """The process as its latest release leaves it (the compiled release)."""
        return self.versions[-1]


def processes(package: Package, scratch: OcdsScratch) -> Iterator[Process]:
    """The package's processes, in the order their first release appears. Raises
    PackageError for a record that has neither a compiled release nor releases."""
    if package.kind == "records":
        for n, record in scratch.records():
            yield _record(n, record)
        return
    for ocid, found in scratch.release_groups():
        if len(found) == 1:
            n, release = found[0]
            yield Process(ocid, f"releases[{n}]", (release,))
        else:
            numbers = ", ".join(str(n) for n, _ in found)
            where = f"releases[{numbers}] (merged in date order)"
            yield Process(ocid, where, versions([r for _, r in found]))


def _record(n: int, record: JSON) -> Process:
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        ocid = str(record.get("ocid") or compiled.get("ocid") or f"records[{n}]")
        return Process(ocid, f"records[{n}].compiledRelease", (compiled,))
    # Linked releases ({url, date, tag}, no id) would have to be fetched: not read here.
    releases = [r for r in record.get("releases") or [] if isinstance(r, dict) and "id" in r]
    if not releases:
        raise PackageError(f"records[{n}]: no compiledRelease and no embedded releases")
    ocid = str(record.get("ocid") or releases[0].get("ocid") or f"records[{n}]")
    return Process(ocid, f"records[{n}].releases (merged in date order)", versions(releases))


def versions(releases: list[JSON]) -> tuple[JSON, ...]:
    """The releases of one process merged, oldest first (ties keep the file's order): the
    process as each release left it; the last is the compiled release."""
    result: JSON = {}
    states = []
    for release in sorted(releases, key=lambda r: str(r.get("date") or "")):
        result = _merge(result, release)
        states.append(result)
    return tuple(states)


def _merge(old: JSON, new: Mapping[str, Any]) -> JSON:
    out = dict(old)
    for key, value in new.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif _by_id(value) and _by_id(out.get(key)):
            items = {str(item["id"]): item for item in out[key]}
            for item in value:
                ident = str(item["id"])
                items[ident] = _merge(items.get(ident, {}), item)
            out[key] = list(items.values())
        else:
            out[key] = value
    return out


def _by_id(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("id") is not None for v in value)
    )
