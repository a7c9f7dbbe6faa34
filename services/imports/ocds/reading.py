"""An OCDS package file read as a stream into the import's scratch database
(`scratch.py`): one release or record at a time, whatever the file's size.

ijson parses the file (its C backend, yajl2_c, which its wheels ship; the same events from
its pure-Python one otherwise, slower and less precise about where a file broke) and hands
over one event at a time; each item of the top-level
`releases` or `records` array is built alone (numbers as `json.loads` reads them: int, or
float) and stored, so a package's memory is that of its largest release. The package's own
fields (`publishedDate`, `publisher`, `extensions`, …) may come before, after or between
the arrays: they are read as they pass, and nothing is mapped until the file has been read
to its end.

**A broken file imports nothing.** A truncated or malformed file is a `PackageError` naming
where: the bytes read when the parser stopped (the end of the file for a truncated one), the
release or record it was in (`releases[7]`) and how many were read whole before it. Those are
in the scratch database only: the mapping (`ocds.mapped`) starts after the whole file is read,
so no event of the file, not even of the releases read before the break, is sent. A package is
one publication: half of one, imported, would be contracts without their later amendments
and registrations without the parties after the break.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson
from ijson.common import JSONError

from services.imports.ocds.fields import JSON, moment
from services.imports.ocds.scratch import OcdsScratch

__all__ = ["BACKEND", "Package", "PackageError", "read"]

BACKEND: str = ijson.backend  # "yajl2_c" where the C extension is installed
_BOM = b"\xef\xbb\xbf"
_ARRAYS = ("records", "releases")
_ITEMS = {f"{name}.item": name for name in _ARRAYS}

Event = tuple[str, str, Any]


class PackageError(ValueError):
    """The file is not an OCDS release or record package (or not complete JSON)."""


@dataclass(frozen=True)
class Package:
    """What of the package the mapping needs besides its releases (in the scratch database)."""

    kind: str  # "records" or "releases": the array its processes come from
    published: dt.datetime | None  # publishedDate


class _Counted:
    """The file as the parser reads it: bytes counted (for where it broke), a UTF-8
    byte-order mark left out (the parser takes none)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        start = file.read(len(_BOM))
        self._pending = b"" if start == _BOM else start
        self.read_bytes = len(start)
        self.last = 0  # the bytes of the last read: where a parse error is

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # how ijson tells bytes from text: not a read of the file
            return b""
        data, self._pending = self._pending, b""
        if size < 0 or size > len(data):
            more = self._file.read(size - len(data) if size > 0 else -1)
            self.read_bytes += len(more)
            data += more
        self.last = len(data) or self.last
        return data


def read(file: BinaryIO, scratch: OcdsScratch) -> Package:
    """Reads the package's releases or records into `scratch`. Raises PackageError."""
    source = _Counted(file)
    reading = _Reading(scratch)
    try:
        reading.run(ijson.parse(source, use_float=True))
    except JSONError as error:
        raise PackageError(_broken(error, source, reading)) from None
    kind = next((name for name in _ARRAYS if name in reading.arrays), None)
    if kind is None:
        raise PackageError(
            "neither a release package (`releases`) nor a record package (`records`)"
        )
    return Package(kind, reading.published)


class _Reading:
    """One pass over the parser's events: the arrays' items stored, the package's fields read."""

    def __init__(self, scratch: OcdsScratch) -> None:
        self._scratch = scratch
        self.count = dict.fromkeys(_ARRAYS, 0)
        self.arrays: set[str] = set()  # the top-level arrays met
        self._open: str | None = None  # the array being read
        self.inside: str | None = None  # the item being read: "releases[7]"
        self.published: dt.datetime | None = None

    def run(self, events: Iterator[Event]) -> None:
        first = next(events, None)
        if first is None or first[1] != "start_map":
            raise PackageError("an OCDS package is a JSON object")
        for prefix, event, value in events:
            if self._open is not None and prefix == f"{self._open}.item":
                self._item(self._open, event, events)
            elif prefix in _ARRAYS and event == "start_array":
                self._open = prefix
                self.arrays.add(prefix)
            elif prefix in _ARRAYS and event == "end_array":
                self._open = None
            elif prefix == "publishedDate":
                self.published = moment(value)

    def _item(self, name: str, event: str, events: Iterator[Event]) -> None:
        n = self.count[name]
        if event != "start_map":
            raise PackageError(f"{name}[{n}]: not an object")
        self.inside = f"{name}[{n}]"
        item = _built(events)
        if name == "releases":
            self._scratch.add_release(n, str(item.get("ocid") or f"releases[{n}]"), item)
        else:
            self._scratch.add_record(n, item)
        self.count[name] += 1
        self.inside = None


def _built(events: Iterator[Event]) -> JSON:
    """The object whose `start_map` was the last event, from the events up to its end. (Not
    ijson's ObjectBuilder: this loop is the reading's hot path, and a key needs no stack, as
    a value always follows its own key.)"""
    item: JSON = {}
    open_: list[Any] = [item]  # the containers not ended yet, innermost last
    key = ""
    for _, event, value in events:
        if event == "map_key":
            key = value
            continue
        if event == "end_map" or event == "end_array":
            open_.pop()
            if not open_:
                break
            continue
        new = {} if event == "start_map" else [] if event == "start_array" else value
        into = open_[-1]
        if type(into) is dict:
            into[key] = new
        else:
            into.append(new)
        if event == "start_map" or event == "start_array":
            open_.append(new)
    return item


def _broken(error: JSONError, source: _Counted, reading: _Reading) -> str:
    said = error.args[0] if error.args else ""
    if isinstance(said, bytes):
        said = said.decode("utf-8", "replace")
    what = str(said).splitlines()[0] if str(said).strip() else type(error).__name__
    if "premature EOF" in what or "Incomplete JSON content" in what:  # C, pure Python
        where = f"the file ends at byte {source.read_bytes:,} (truncated)"
    elif BACKEND == "yajl2_c":  # it stops in the chunk it was given last
        first = source.read_bytes - source.last
        where = f"{what}, within bytes {first:,}–{source.read_bytes:,}"
    else:  # the others read ahead: only an upper bound (their message may say more)
        where = f"{what}, before byte {source.read_bytes:,}"
    inside = reading.inside or "outside `releases` and `records`"
    done = ", ".join(f"{n} {name}" for name, n in reading.count.items() if n) or "nothing"
    return f"not complete JSON: {where}, in {inside} ({done} read whole before it)"
