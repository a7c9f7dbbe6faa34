"""An OCDS package file read as a stream into the import's scratch database
(`scratch.py`): one release or record at a time, whatever the file's size.

ijson parses the file (its C backend, yajl2_c, which its wheels ship; the same events from
its pure-Python one otherwise, slower and less precise about where a file broke) and hands
over one event at a time, without the path of each (`basic_parse`, not `parse`: see "Nested
too deep" below); each item of the top-level
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

**Nested too deep.** Arrays and objects within each other more than `MAX_DEPTH` levels deep
are a `PackageError` too, saying where, as soon as the parser has read that far: no OCDS
release nests a tenth as deep, and a release nested thousands deep is one that no later step
could keep (pickling it into the scratch database met Python's recursion limit). The events
come without their path for the same reason: ijson's `parse` spells each event's path
(`releases.item.item.…`, longer with every level) for a whole chunk of the file before the
first of them is read, so 160 KB of `[` took 10 GB and most of a minute before any check
could see the first event.
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

__all__ = ["BACKEND", "MAX_DEPTH", "Package", "PackageError", "read"]

BACKEND: str = ijson.backend  # "yajl2_c" where the C extension is installed
_BOM = b"\xef\xbb\xbf"
_ARRAYS = ("records", "releases")
# Arrays and objects within each other, the package's object counted: a release is read at
# depth 3 (package, `releases`, the release) and its deepest standard field some 8 below it.
# Well below Python's recursion limit (some 1,000 frames), which pickling a release and
# merging a process's releases (`package.py`) recurse into, a frame or so a level.
MAX_DEPTH = 256

Event = tuple[str, Any]  # ijson's basic_parse: the event and its value (no path)


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
        reading.run(ijson.basic_parse(source, use_float=True))
    except JSONError as error:
        raise PackageError(_broken(error, source, reading)) from None
    except _TooDeep:
        raise PackageError(
            f"nested too deep: arrays and objects over {MAX_DEPTH} levels within each other"
            f" ({_where(source)}), in {_inside(reading)}"
        ) from None
    kind = next((name for name in _ARRAYS if name in reading.arrays), None)
    if kind is None:
        raise PackageError(
            "neither a release package (`releases`) nor a record package (`records`)"
        )
    return Package(kind, reading.published)


class _TooDeep(Exception):
    """Arrays and objects nested over MAX_DEPTH deep (read() says where)."""


class _Reading:
    """One pass over the parser's events: the arrays' items stored, the package's fields read."""

    def __init__(self, scratch: OcdsScratch) -> None:
        self._scratch = scratch
        self.count = dict.fromkeys(_ARRAYS, 0)
        self.arrays: set[str] = set()  # the top-level arrays met
        self.inside: str | None = None  # the item being read: "releases[7]"
        self.published: dt.datetime | None = None

    def run(self, events: Iterator[Event]) -> None:
        first = next(events, None)
        if first is None or first[0] != "start_map":
            raise PackageError("an OCDS package is a JSON object")
        key = ""
        for event, value in events:  # the package's keys and values, up to its end_map
            if event == "map_key":
                key = value
            elif event == "start_array" and key in _ARRAYS:
                self.arrays.add(key)
                self._array(key, events)
            elif event == "start_map" or event == "start_array":
                _skipped(events)
            elif event == "end_map":  # the package's: read on, for what may follow it
                continue
            elif key == "publishedDate":
                self.published = moment(value)

    def _array(self, name: str, events: Iterator[Event]) -> None:
        for event, _ in events:
            if event == "end_array":
                return
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
    """The item whose `start_map` was the last event, from the events up to its end. (Not
    ijson's ObjectBuilder: this loop is the reading's hot path, and a key needs no stack, as
    a value always follows its own key.)"""
    item: JSON = {}
    open_: list[Any] = [item]  # the containers not ended yet, innermost last
    key = ""
    for event, value in events:
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
            if len(open_) + 2 > MAX_DEPTH:  # the package's object and array above the item
                raise _TooDeep
    return item


def _skipped(events: Iterator[Event]) -> None:
    """Past a value of the package's own (at depth 2) whose start was the last event."""
    depth = 2
    for event, _ in events:
        if event == "start_map" or event == "start_array":
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep
        elif event == "end_map" or event == "end_array":
            depth -= 1
            if depth < 2:
                return


def _broken(error: JSONError, source: _Counted, reading: _Reading) -> str:
    said = error.args[0] if error.args else ""
    if isinstance(said, bytes):
        said = said.decode("utf-8", "replace")
    what = str(said).splitlines()[0] if str(said).strip() else type(error).__name__
    if "premature EOF" in what or "Incomplete JSON content" in what:  # C, pure Python
        where = f"the file ends at byte {source.read_bytes:,} (truncated)"
    else:
        where = f"{what}, {_where(source)}"
    return f"not complete JSON: {where}, in {_inside(reading)}"


def _where(source: _Counted) -> str:
    """Where in the file the parser was when it stopped."""
    if BACKEND == "yajl2_c":  # it stops in the chunk it was given last
        return f"within bytes {source.read_bytes - source.last:,}–{source.read_bytes:,}"
    # The others read ahead: only an upper bound (their message may say more).
    return f"before byte {source.read_bytes:,}"


def _inside(reading: _Reading) -> str:
    """The release or record being read, and how many were read before it."""
    inside = reading.inside or "outside `releases` and `records`"
    done = ", ".join(f"{n} {name}" for name, n in reading.count.items() if n) or "nothing"
    return f"{inside} ({done} read whole before it)"
