"""A file that would lift much of its list is refused before anything is sent, unless the
import is told the list did drop them (`--allow-mass-lift`); a debarment an import lifted for
its absence, and listed again, is imposed again (real PostgreSQL, through the import
command). Found by exploratory testing: the World Bank's list cut to its first 600 rows
(`head -601`) lifted 630 debarments without a word, exit 0, and the whole list imported again
left them lifted ("impose it again by hand")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.support.list_imports import eligible, imported, lifted_by_hand, worldbank_vendor
from tests.support.postgres import count_now
from tests.support.worldbank_csv import HEADER

pytestmark = pytest.mark.postgres

STORED = "SELECT count(*) FROM event_store"
ROWS = [
    f"FIRM {n} LLC,,{n} MAIN STREET,Azerbaijan,2024-12-10,2035-08-09,Fraud\n" for n in range(1, 41)
]
BARRED_ON = "2030-01-15"


def test_a_file_cut_short_is_refused_and_what_an_import_lifted_is_imposed_again(
    database_url: str, tmp_path: Path
) -> None:
    whole, cut, fewer = tmp_path / "wb.csv", tmp_path / "first10.csv", tmp_path / "wb-3.csv"
    whole.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    cut.write_text(HEADER + "".join(ROWS[:10]), encoding="utf-8")
    last = worldbank_vendor(ROWS[-1], HEADER)
    code, said = imported("worldbank", whole, database_url)
    assert code == 0 and "40 imposed" in said, said
    stored = count_now(database_url, STORED)

    # The first ten rows: 30 of the 40 debarments gone. Refused, nothing sent.
    code, said = imported("worldbank", cut, database_url)
    assert code == 1, said
    assert (
        "the file would lift 30 of the 40 debarments of the worldbank list in force (75%)" in said
    )
    assert "nothing was sent" in said and "--allow-mass-lift" in said
    assert count_now(database_url, STORED) == stored
    assert not eligible(database_url, last, BARRED_ON)
    # A dry run shows what it would do, and that the import would be refused.
    code, said = imported("worldbank", cut, database_url, "--dry-run")
    assert code == 1 and "0 imposed, 0 amended, 30 lifted, 10 unchanged" in said, said
    assert "the import would be refused: the file would lift 30 of the 40" in said
    assert count_now(database_url, STORED) == stored

    # Told the list did drop them, the import lifts them.
    code, said = imported("worldbank", cut, database_url, "--allow-mass-lift")
    assert code == 0 and "30 lifted, 10 unchanged" in said, said
    assert eligible(database_url, last, BARRED_ON)

    # The whole list again: what the import lifted is barred again, as the list says.
    code, said = imported("worldbank", whole, database_url)
    assert code == 0 and "30 imposed, 0 amended, 0 lifted, 10 unchanged" in said, said
    assert "30 row(s) list a debarment an earlier import lifted" in said
    assert "imposed again (lines 12, 13" in said and "stays lifted" not in said
    assert "0 vendors registered" in said  # on the vendor it was imposed on first
    assert not eligible(database_url, last, BARRED_ON)
    code, said = imported("worldbank", whole, database_url)
    assert code == 0 and "0 imposed, 0 amended, 0 lifted, 40 unchanged" in said, said
    assert "events: 0 new, 0 taken before" in said

    # A list that drops a few debarments (at most 10, or 10 % of those in force) is imported
    # as it always was.
    fewer.write_text(HEADER + "".join(ROWS[:-3]), encoding="utf-8")
    code, said = imported("worldbank", fewer, database_url)
    assert code == 0 and "3 lifted, 37 unchanged" in said, said
    assert eligible(database_url, last, BARRED_ON)


def test_a_debarment_lifted_by_hand_stays_lifted_when_the_list_gives_it_again(
    database_url: str, tmp_path: Path
) -> None:
    # Someone here decided it (an appeal upheld, a mistaken listing): the list, which still
    # gives it, is told to whoever imports, not imposed over that decision.
    whole = tmp_path / "wb.csv"
    whole.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    assert imported("worldbank", whole, database_url)[0] == 0
    lifted_by_hand(database_url, ROWS[0], HEADER, dt.date(2025, 1, 1))
    first = worldbank_vendor(ROWS[0], HEADER)
    assert eligible(database_url, first, BARRED_ON)
    code, said = imported("worldbank", whole, database_url)
    assert code == 0 and "0 imposed, 0 amended, 0 lifted, 40 unchanged" in said, said
    assert "1 row(s) list a debarment that was lifted by hand, which stays lifted (lines 2)" in said
    assert eligible(database_url, first, BARRED_ON)


def test_a_second_import_of_a_file_without_a_required_column_is_refused_in_one_line(
    database_url: str, tmp_path: Path
) -> None:
    # The foresight of what a file would lift reads it before anything is sent, and only once
    # something is recorded: a file that is not the list is refused there as at a first
    # import, the header's fault in one line, not a traceback.
    whole, renamed = tmp_path / "wb.csv", tmp_path / "renamed.csv"
    whole.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    renamed.write_text(HEADER.replace("Grounds", "Reason") + "".join(ROWS), encoding="utf-8")
    assert imported("worldbank", whole, database_url)[0] == 0
    stored = count_now(database_url, STORED)
    for options in ((), ("--dry-run",)):
        code, said = imported("worldbank", renamed, database_url, *options)
        assert code == 1, said
        assert "Error: line 1: the header has no Grounds column (Firm Name," in said, said
        assert "nothing was sent; correct the file and import it again" in said, said
    assert count_now(database_url, STORED) == stored
