"""A list's CSV rows, one at a time, with the file line each starts on (pure, streaming)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import BinaryIO, TextIO


def rows(stream: TextIO, required: Sequence[str] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for every data row; header names stripped of spaces and a byte-order mark
    (EBRD's " Ineligible Until"), cells as written. A cell may span lines. A header without
    one of the `required` columns (or no header: an empty file) is an UnreadableFile: the
    file is not the list, and none of its rows can say what it lists."""
    reader = csv.reader(stream)
    try:
        header = [name.strip().lstrip("\ufeff").strip() for name in next(reader, [])]
        if missing := [name for name in required if name not in header]:
            raise UnreadableFile(
                f"line 1: the header has no {', '.join(missing)} column"
                f" ({', '.join(header) or 'no header at all'})"
            )
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, dict(zip(header, cells, strict=False))
            start = reader.line_num + 1
    except csv.Error as error:  # a cell past the csv module's size limit, a stray NUL
        raise UnreadableFile(f"line {reader.line_num}: {error}") from None


def unreadable_csv(file: BinaryIO) -> str | None:
    """Where and why the CSV reader cannot read `file` to its end (a cell past its size limit,
    a NUL), or None; leaves it at its start. Checked before an import sends anything, as its
    encoding is: found at the row, the rows before it were sent already. None for a file that
    cannot be read twice (a pipe not made rereadable)."""
    if not file.seekable():
        return None
    start = file.tell()
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        for _ in reader:
            pass
        return None
    except csv.Error as error:
        return f"line {reader.line_num}: {error}"
    finally:
        text.detach()
        file.seek(start)


class UnreadableFile(ValueError):
    """The file cannot be read on from this line: the rows after it are not reached."""
