"""A list's file is checked to be UTF-8 before an import sends anything, and a CSV row it cannot
read stops it at its line (pure)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from services.imports import file_encoding
from services.imports.csv_rows import UnreadableFile, rows
from services.imports.file_encoding import not_utf8, rereadable

HEADER = "番号,措置機関,業者名\n".encode()
ROW = "1,北浜市,株式会社北浜建設\n".encode()


def test_utf8_with_or_without_a_byte_order_mark_passes_and_is_left_at_its_start() -> None:
    for text in (HEADER + ROW, b"\xef\xbb\xbf" + HEADER + ROW, b""):
        file = io.BytesIO(text)
        assert not_utf8(file) is None
        assert file.read() == text


def test_a_shift_jis_row_is_named_by_its_line() -> None:
    file = io.BytesIO(HEADER + ROW + "2,南浜市,南浜土木\n".encode("shift_jis"))
    assert not_utf8(file) == "line 3: byte 0x93 is not UTF-8"
    assert file.tell() == 0


def test_a_utf16_file_is_named_as_such_whichever_its_byte_order() -> None:
    text = "\ufeff" + (HEADER + ROW).decode()
    for encoding in ("utf-16-le", "utf-16-be"):
        file = io.BytesIO(text.encode(encoding))
        said = not_utf8(file)
        assert said == "line 1: the file is UTF-16 (it opens with UTF-16's byte-order mark)"
        assert file.tell() == 0


def test_a_character_across_two_pieces_is_one_character(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_encoding, "_PIECE", 4)  # every three-byte kana cut somewhere
    assert not_utf8(io.BytesIO(HEADER + ROW * 3)) is None
    assert not_utf8(io.BytesIO(HEADER + ROW + b"2,\xc9\n")) == "line 3: byte 0xc9 is not UTF-8"


def test_lines_ended_by_a_carriage_return_alone_are_counted_as_the_csv_reader_counts_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Excel for Mac's "CSV (Macintosh)" ends lines with \r alone; Windows' with \r\n, which a
    # piece may cut between the two bytes: one line either way.
    bad = "2,南浜市\r".encode("shift_jis")
    mac = (HEADER + ROW).replace(b"\n", b"\r") + bad
    assert not_utf8(io.BytesIO(mac)) == "line 3: byte 0x93 is not UTF-8"
    windows = (HEADER + ROW).replace(b"\n", b"\r\n") + bad
    monkeypatch.setattr(file_encoding, "_PIECE", len(HEADER))  # the first \r\n cut in two
    assert not_utf8(io.BytesIO(windows)) == "line 3: byte 0x93 is not UTF-8"
    read = rows(io.StringIO(mac.replace(bad, b"").decode(), newline=""))
    assert list(read) == [(2, {"番号": "1", "措置機関": "北浜市", "業者名": "株式会社北浜建設"})]


def test_a_file_cut_inside_a_character_is_refused() -> None:
    assert not_utf8(io.BytesIO(HEADER + ROW[:-3])) == "line 2: the file ends inside a character"


class Pipe(io.BytesIO):
    def seekable(self) -> bool:
        return False


def test_a_pipe_is_not_read_twice() -> None:
    assert not_utf8(Pipe(b"\xff")) is None


def test_a_piped_list_is_spooled_and_checked_like_a_file() -> None:
    sent = HEADER + ROW + "2,東京\n".encode("shift_jis")
    with rereadable(Pipe(sent)) as piped:
        assert not_utf8(piped) == "line 3: byte 0x93 is not UTF-8"
        assert piped.read() == sent  # all of it, from its start


@pytest.fixture
def cells_of_at_most_1000() -> Iterator[None]:
    # The limit is the process's (followthemoney, once imported, sets its own).
    was = csv.field_size_limit(1000)
    yield
    csv.field_size_limit(was)


@pytest.mark.usefixtures("cells_of_at_most_1000")
def test_a_cell_past_the_csv_modules_limit_stops_the_file_at_its_line() -> None:
    text = "Firm Name,Grounds\nA LTD,Fraud\nB LTD," + "x" * 2000 + "\nC LTD,Fraud\n"
    read = rows(io.StringIO(text))
    assert next(read) == (2, {"Firm Name": "A LTD", "Grounds": "Fraud"})
    with pytest.raises(UnreadableFile, match=r"^line 3: field larger than field limit"):
        next(read)
