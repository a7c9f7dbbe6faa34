"""A list's correction imported again on the same day is applied: the World Bank's list
imported, then a newer file moving a firm's last day (2035-12-09 → 2036-12-09), then the older
file again (back), then the newer one again (forward), all on one day (real PostgreSQL, through
the import command). Found by exploratory testing: the third amendment had the first one's
id (the sanction, the day and the last day), so ingest took it for a resend and dropped it
("1 amended", "0 new, 1 taken before"), the firm eligible again on 2036-01-15."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.list_imports import eligible, imported, worldbank_vendor
from tests.support.worldbank_csv import HEADER

pytestmark = pytest.mark.postgres

ROW = "GRAND MOTORS LLC,*678,BAKU,Azerbaijan,2024-12-10,{},Fraud\n"
OTHER = "MR. RUFAT MAJIDOV,*677,BAKU,Azerbaijan,2024-12-10,2033-08-09,Fraud\n"
EARLIER, LATER = "2035-12-09", "2036-12-09"
BETWEEN = "2036-01-15"  # barred under the later last day, not under the earlier


def test_a_correction_moved_back_and_forth_on_one_day_is_applied_each_time(
    database_url: str, tmp_path: Path
) -> None:
    newer, older = tmp_path / "wb_v2.csv", tmp_path / "wb.csv"
    newer.write_text(HEADER + ROW.format(LATER) + OTHER, encoding="utf-8")
    older.write_text(HEADER + ROW.format(EARLIER) + OTHER, encoding="utf-8")
    firm = worldbank_vendor(ROW.format(LATER), HEADER)

    code, said = imported("worldbank", older, database_url)
    assert code == 0 and "2 imposed" in said, said
    assert eligible(database_url, firm, BETWEEN)
    code, said = imported("worldbank", newer, database_url)
    assert code == 0 and "0 imposed, 1 amended" in said and "events: 1 new, 0 taken" in said
    assert not eligible(database_url, firm, BETWEEN)
    code, said = imported("worldbank", older, database_url)
    assert code == 0 and "0 imposed, 1 amended" in said and "events: 1 new, 0 taken" in said
    assert eligible(database_url, firm, BETWEEN)

    code, said = imported("worldbank", newer, database_url)
    assert code == 0, said
    assert "0 imposed, 1 amended, 0 lifted, 1 unchanged" in said
    assert "events: 1 new, 0 taken before" in said, said
    assert not eligible(database_url, firm, BETWEEN)
    assert not eligible(database_url, firm, LATER)
    assert eligible(database_url, firm, "2036-12-10")

    # The same file again changes nothing and sends nothing.
    code, said = imported("worldbank", newer, database_url)
    assert code == 0 and "0 amended, 0 lifted, 2 unchanged" in said, said
    assert "events: 0 new, 0 taken before" in said
    assert not eligible(database_url, firm, BETWEEN)
