"""CSV cells a spreadsheet will not run as formulas ("CSV injection"), and back.

A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before looking) is read as a formula when the file is opened: a contract
title like `=HYPERLINK("http://…")` would become a live link. Such a cell is written with a
leading single quote, which spreadsheets show as text. A cell that already starts with a
quote gets one too, so that `restore` is the exact inverse of `neutralise`: whatever reads
the file back strips one leading quote, if any, and has the original value.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: str) -> str:
    """The value as a CSV cell no spreadsheet evaluates."""
    return QUOTE + value if value.startswith((*FORMULA_STARTS, QUOTE)) else value


def restore(cell: str) -> str:
    """The value `neutralise` was given."""
    return cell.removeprefix(QUOTE)
