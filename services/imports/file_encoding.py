"""Whether a list's file can be read as UTF-8, before anything of it is sent.

An import reads its file a row at a time and sends as it goes: a byte that is not UTF-8 a
thousand rows in (a Shift_JIS export, one cp1252 "É" pasted into a bank's list) stopped it
with a traceback after those thousand rows were sent, as a snapshot half applied. A file that
can be read twice is first read once through (in pieces: memory bounded whatever its size)
and refused whole, naming the line, when it is not UTF-8; a pipe is first spooled to a
temporary file (`rereadable`), so that it too is checked before anything is sent."""

from __future__ import annotations

import codecs
import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

_PIECE = 1 << 20


@contextlib.contextmanager
def rereadable(file: BinaryIO) -> Iterator[BinaryIO]:
    """The file itself when it can be read twice; else (a pipe) its bytes copied, in pieces, to
    a temporary file on disk, at its start, removed afterwards: memory stays bounded whatever
    the list's size."""
    if file.seekable():
        yield file
        return
    with tempfile.TemporaryFile() as spooled:
        shutil.copyfileobj(file, spooled, _PIECE)
        spooled.seek(0)
        yield spooled


def not_utf8(file: BinaryIO) -> str | None:
    """Where and why `file` is not UTF-8 (None: it is, or it cannot be read twice, as a pipe
    not made `rereadable`); leaves it at its start."""
    if not file.seekable():
        return None
    start = file.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    after_cr = False  # the piece before ended with \r: a \n that opens this one ends that line
    try:
        head = file.read(2)
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            # Excel's "Unicode Text", PowerShell's default: "byte 0xff is not UTF-8" said
            # nothing of what to do about it.
            return "line 1: the file is UTF-16 (it opens with UTF-16's byte-order mark)"
        if len(head) == 2 and (head[0] == 0) != (head[1] == 0):
            # UTF-16 without its mark: a NUL beside the first character, which no text (nor
            # UTF-8's) opens with. It read as UTF-8, NULs and all, refused further on for a
            # header of no column or "invalid char in json text".
            return "line 1: the file is UTF-16 (a NUL byte beside its first character)"
        file.seek(start)
        while piece := file.read(_PIECE):
            try:
                decoder.decode(piece)
            except UnicodeDecodeError as error:
                # `error.object` is the piece after at most three bytes of a character begun in
                # the one before, which hold no line break.
                at = line + _breaks(error.object[: error.start], after_cr)
                return f"line {at}: byte 0x{error.object[error.start]:02x} is not UTF-8"
            line += _breaks(piece, after_cr)
            after_cr = piece.endswith(b"\r")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"line {line}: the file ends inside a character"
        return None
    finally:
        file.seek(start)


def _breaks(data: bytes, after_cr: bool) -> int:
    """The line breaks in `data` as the CSV reader counts them: \n, \r\n and a lone \r (Excel
    for Mac's "CSV (Macintosh)" ends its lines with \r alone); `after_cr`: the bytes before
    `data` ended with \r, so a \n that opens it ends a line already counted."""
    breaks = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    return breaks - 1 if after_cr and data.startswith(b"\n") else breaks
