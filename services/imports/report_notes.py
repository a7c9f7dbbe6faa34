"""The notes an import of a list adds to its report (`ImportReport.notes`): what it did
that whoever imports must hear of, since the list may mean otherwise (a body named that
lifts nothing, rows repeated, a debarment's reach in words, a debarment that stays lifted or
is imposed again, a firm or person the registry holds as the other)."""

from __future__ import annotations

from services.events.vendor import VendorKind
from services.imports.entries import ListEntry
from services.imports.report import ImportReport
from services.imports.scratch_sanctions import SanctionTable


def note_unknown_bodies(
    bodies: set[str], in_rows: set[str], sanctions: SanctionTable, report: ImportReport
) -> None:
    """A body the import was told the file is the list of (`bodies`), that no row names and
    no recorded suspension is by, is most likely misspelt: it lifts nothing, which the
    importer must hear of (a lift it meant to make would not happen)."""
    unknown = bodies - in_rows
    if unknown:
        unknown -= {r.authority for _, r in sanctions.recorded.items() if r.authority in unknown}
    for body in sorted(unknown):
        report.notes.append(
            f"--body {body}: no suspension by it is recorded, so nothing of it was lifted"
            " (is it written as the list's 措置機関 column writes it?)"
        )


def note_repeats(repeats: list[tuple[int, int]], report: ImportReport) -> None:
    """Rows that repeat an earlier row's debarment: counted once (they were imposed twice in
    the report, once in the registry)."""
    if not repeats:
        return
    shown = ", ".join(f"line {line} = line {first}" for line, first in repeats[:10])
    more = f" and {len(repeats) - 10} more" if len(repeats) > 10 else ""
    report.notes.append(
        f"{len(repeats)} row(s) repeat an earlier row's debarment ({shown}{more}): counted once"
    )


def note_reach(item: ListEntry, report: ImportReport) -> None:
    """A debarment imposed now whose reach the list words (`ListEntry.reach`): it bars the
    firm everywhere, which whoever imports must hear of, since the list may bar it less, or
    the entities it controls too."""
    report.notes.append(
        f"line {item.line}: {item.name!r} is debarred with words on its reach"
        f" ({item.reach!r}) that no field of ours says as written: recorded as barring the"
        " firm everywhere, the words in its reason; amend its agencies, categories or"
        " affiliate coverage by hand to match"
    )


_KINDS = {VendorKind.FIRM: "a firm", VendorKind.INDIVIDUAL: "an individual"}


def note_kind_differs(
    item: ListEntry, vendor: str, recorded: VendorKind, report: ImportReport
) -> None:
    """A row whose list says the firm or person is the other kind than its vendor's recorded
    one (`ListEntry.vendor_kind`): the kind is left as recorded, since which is right is for a
    person to decide, and whoever imports must hear of it."""
    said = _KINDS[item.vendor_kind] if item.vendor_kind else "of no kind"
    report.notes.append(
        f"line {item.line}: {item.name!r} is {said} on the list, but its vendor {vendor} is"
        f" recorded as {_KINDS[recorded]}: left as recorded; check which is right and correct"
        " it by hand (vendor.updated's kind)"
    )


def note_relisted(lines: list[int], report: ImportReport) -> None:
    """Rows whose debarment was lifted in the registry other than by an import of the list
    (by hand): they stay lifted (entry_ids.py), which whoever imports must hear of, since the
    list says the firm is barred."""
    if not lines:
        return
    report.notes.append(
        f"{len(lines)} row(s) list a debarment that was lifted by hand, which stays lifted"
        f" ({_lines(lines)}): if the list is right, impose it again by hand"
    )


def note_imposed_again(lines: list[int], report: ImportReport) -> None:
    """Rows whose debarment an earlier import of the list lifted for its absence from the
    file: imposed again (entry_ids.py), counted as imposed, which whoever imports must hear
    of (a file cut short before, or the list changed its mind)."""
    if not lines:
        return
    report.notes.append(
        f"{len(lines)} row(s) list a debarment an earlier import lifted, as the list no longer"
        f" gave it then: imposed again ({_lines(lines)})"
    )


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:10])
    more = f" and {len(lines) - 10} more" if len(lines) > 10 else ""
    return f"lines {shown}{more}"
