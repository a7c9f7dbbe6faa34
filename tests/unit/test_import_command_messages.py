"""What `vendorwatch import` tells of a file it refuses, and of a dry run as it goes: nothing
said of what was sent when nothing was, an OCDS package's encoding named, a dry run's bar
not saying "publishing" (the command through click; no database: `--data-dir` names an
empty directory, which a dry run compares with nothing)."""

from __future__ import annotations

import contextlib
import pathlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pytest
from click.testing import CliRunner

from services.cli import importing
from services.cli.main import cli

HEADER = (
    "Firm Name,Additional Firm Info,Address,Country,Ineligibility Period From Date,"
    "Ineligibility Period To Date,Grounds\n"
)
ROW = "GRAND MOTORS LLC,*678,BAKU,Azerbaijan,2024-12-10,2027-08-09,Fraud\n"


def _dry_run(tmp_path: pathlib.Path, source: str, name: str, content: bytes) -> tuple[int, str]:
    file = tmp_path / name
    file.write_bytes(content)
    nowhere = tmp_path / "no-database"
    nowhere.mkdir(exist_ok=True)
    args = ["import", source, str(file), "--dry-run", "--data-dir", str(nowhere)]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "line 1: the header has no Firm Name"),
        (HEADER.encode(), "the file has a header and no row"),
        (HEADER.replace("Country,", "Country Name,").encode(), "the header has no Country"),
    ],
)
def test_a_file_refused_whole_says_nothing_was_sent(
    tmp_path: pathlib.Path, content: bytes, why: str
) -> None:
    # It said "the import stopped there … (what was sent is recognised and not sent
    # twice)", with --dry-run too, where nothing can have been sent.
    code, said = _dry_run(tmp_path, "worldbank", "list.csv", content)
    assert code == 1 and why in said
    assert "nothing was sent; correct the file and import it again" in said
    assert "stopped there" not in said and "what was sent" not in said


def test_a_utf16_ocds_package_is_named_utf16(tmp_path: pathlib.Path) -> None:
    # It was "lexical error: invalid char in json text".
    package = '{"uri": "x", "releases": []}'
    for encoding in ("utf-16", "utf-16-le"):  # with its byte-order mark, and without
        code, said = _dry_run(tmp_path, "ocds", "package.json", package.encode(encoding))
        assert code == 1 and "package.json: line 1: the file is UTF-16" in said, said
        assert "an OCDS package must be UTF-8 (JSON is); nothing was sent" in said
        assert "lexical error" not in said


def test_a_utf16_list_without_its_mark_is_named_utf16(tmp_path: pathlib.Path) -> None:
    code, said = _dry_run(tmp_path, "worldbank", "list.csv", (HEADER + ROW).encode("utf-16-le"))
    assert code == 1 and "line 1: the file is UTF-16 (a NUL byte beside its first" in said


def test_a_dry_runs_bar_says_it_sends_nothing_and_moves_as_the_file_is_read(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a terminal it said "publishing" and stayed at 0 %.
    shown: list[tuple[str, int]] = []

    @contextlib.contextmanager
    def bar(source: BinaryIO, label: str = "publishing") -> Iterator[Callable[[int], None]]:
        yield lambda done: shown.append((label, done))

    monkeypatch.setattr(importing, "progress_bar", bar)
    content = (HEADER + ROW).encode()
    code, said = _dry_run(tmp_path, "worldbank", "list.csv", content)
    assert code == 0, said
    assert {label for label, _ in shown} == {"reading (dry run: nothing is sent)"}
    assert sum(done for _, done in shown) == len(content)
