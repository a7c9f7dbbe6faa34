"""CSV cells a spreadsheet would run as formulas are written as text, and read back unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.platform.spreadsheet_cells import FORMULA_STARTS, neutralise, restore


def test_cells_a_spreadsheet_would_evaluate_are_quoted() -> None:
    for cell in (
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
    ):
        assert neutralise(cell) == "'" + cell


def test_ordinary_cells_are_left_as_they_are() -> None:
    for cell in ("", "C-01", "住民記録システム", "2022-10", "a=b", " =1"):
        assert neutralise(cell) == cell


@given(st.text())
def test_no_written_cell_starts_a_formula(value: str) -> None:
    assert not neutralise(value).startswith(FORMULA_STARTS)


@given(st.text())
def test_reading_back_gives_the_value_written(value: str) -> None:
    # Values that start with a quote already survive too: "'=1" is not read back as "=1".
    assert restore(neutralise(value)) == value
