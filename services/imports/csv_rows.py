"""A list's CSV rows, one at a time, with the file line each starts on (pure, streaming)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import BinaryIO, TextIO

from services.events.base import cut
from services.events.text_characters import SEVERAL_LINES, text_problem
from services.imports.entries import RowProblem
from services.platform.wording import plural


def rows(
    stream: TextIO, required: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]] | RowProblem]:
    """(line, row) for every data row; header names stripped of spaces and a byte-order mark
    (EBRD's " Ineligible Until"), cells as written. A cell may span lines. A header without
    one of the `required` columns (or no header: an empty file) is an UnreadableFile: the
    file is not the list, and none of its rows can say what it lists. A row that is not as
    many cells as the header, or holds a NUL, is a RowProblem (`misshapen`), as is one with a
    cell holding a character no entrance takes in (`characters`); the hints of where a word
    may break are taken out of every cell (`BREAK_HINTS`)."""
    reader = csv.reader(stream)
    try:
        header = [name.strip().lstrip("\ufeff").strip() for name in next(reader, [])]
        if missing := [name for name in required if name not in header]:
            raise UnreadableFile(
                f"line 1: the header has no {', '.join(missing)} column ({_said(header)})"
            )
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                cells = [cell.translate(BREAK_HINTS) for cell in cells]
                problem = misshapen(header, cells) or characters(header, cells)
                yield (
                    (start, dict(zip(header, cells, strict=True)))
                    if problem is None
                    else RowProblem(start, problem)
                )
            start = reader.line_num + 1
    except csv.Error as error:  # a cell past the csv module's size limit, a stray NUL
        raise UnreadableFile(f"line {reader.line_num}: {error}") from None


# A header said in a file's refusal: its first columns, each cut short. Another file's first
# line may be anything (a JSON package of 15 KB, a CSV of 2 MB on one line).
SAID_COLUMNS, SAID_CHARS = 12, 40


def _said(header: Sequence[str]) -> str:
    """The header's columns as a refusal names them: the first SAID_COLUMNS, each on one line
    and cut at SAID_CHARS characters, and how many there are in all."""
    if not header:
        return "no header at all"
    said = ", ".join(cut(" ".join(name.split()), SAID_CHARS) for name in header[:SAID_COLUMNS])
    more = len(header) - SAID_COLUMNS
    return said if more <= 0 else f"{said}, … {plural(len(header), 'column', grouped=True)} in all"


def misshapen(header: Sequence[str], cells: Sequence[str]) -> str | None:
    """Why a row's cells cannot be read under the header's names, or None. A row of fewer
    cells is a row cut short (a download broken mid-row, a row cut after its first day): read
    by name, its last columns were empty, which a list reads as "until further notice", so a
    firm's debarment became open-ended and the one it had was lifted. One of more cells is a
    comma not quoted ("NJS Co., Ltd."): every cell after it is under the next column's name.
    A NUL is no character of any list (a file damaged on the way); the catalog refused the
    row naming its event's field, not the column."""
    if len(cells) < len(header):
        missing = ", ".join(name or "(a column without a name)" for name in header[len(cells) :])
        return f"row has {len(cells)} cells, the header {len(header)}: cut short (no {missing})"
    if len(cells) > len(header):
        return (
            f"row has {len(cells)} cells, the header {len(header)}:"
            " a comma not in quotes, or a cell too many"
        )
    nul = next((name for name, cell in zip(header, cells, strict=True) if "\x00" in cell), None)
    if nul is not None:
        return f"{nul or 'a column without a name'}: holds a NUL byte (the file is damaged)"
    return None


# Invisible hints of where a word may break or be hyphenated: the soft hyphen, the zero-width
# space, the word joiner, the zero-width no-break space (a BOM within a text). They change
# nothing a reader sees of a name, and a list may well carry one (a name copied from a page
# hyphenated for print): taken out, the row is imported as it reads; refused, the row's
# debarment would be lost. Every other format character (a bidi override makes "GOOD\u202eKK"
# display otherwise than the list wrote it) and control character refuses the row: no reading
# of it is certainly the list's.
BREAK_HINTS = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


def characters(header: Sequence[str], cells: Sequence[str]) -> str | None:
    """Why a row holds a cell no entrance takes in, with its column, or None: a control or
    format character, or only invisible characters, as the API's receipt and ingest refuse
    them in an event's text (`events/text_characters.py`); line breaks and tabs within a cell
    pass, read as spaces. A blank cell is the reader's to judge (an empty name is refused, an
    empty address is none)."""
    for name, cell in zip(header, cells, strict=True):
        if cell.strip() and (problem := text_problem(cell, SEVERAL_LINES)) is not None:
            return f"{name or 'a column without a name'}: {problem.message}"
    return None


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
