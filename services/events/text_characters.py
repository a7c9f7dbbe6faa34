"""Which characters a text a person or a producer records may hold (pure): the rules every
entrance holds each free-text field of a new event to (`text_fields.py`: the API's receipt,
ingest of a producer's event; a list import's cells, `imports/csv_rows.py`), beyond the
contract's own checks, which stay as they were so that events stored before are read as
they were.

The contract strips a text's whitespace and refuses it empty, but a name of zero-width spaces
("\\u200b\\u200b") or word joiners is not whitespace to it: it was recorded, shown as nothing,
and screening could never match it. Such a text is blank here too. Format characters
(Unicode's Cf: bidi overrides, embeddings, isolates and marks, zero-width spaces, the BOM, the
soft hyphen, tag characters) are invisible yet change what a text shows ("Good\\u202eKK" is
displayed "GoodKK" reversed), so they are refused wherever they stand, with one exception:
the zero-width joiner and non-joiner (U+200D, U+200C) between two visible characters, where
Persian, the Indic scripts and emoji sequences need them to spell a word as it is written.
Alone, at either end or beside a space, they join nothing.

Control characters (Cc) and the line and paragraph separators break the one-line texts
(names, titles, identifiers, a source) in headers, CSV rows, logs and the console's lists; a
text of several lines (a reason, a note) may hold line breaks and tabs, and no other.
"""

from __future__ import annotations

import dataclasses
import unicodedata


@dataclasses.dataclass(frozen=True)
class TextForm:
    """How many lines a free-text field of the contract holds by nature: declared with its
    type (`events/base.ShortText`, …), read from the model by the API's check."""

    one_line: bool


ONE_LINE, SEVERAL_LINES = TextForm(one_line=True), TextForm(one_line=False)

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): what a renderer
# shows as nothing. Most are Cf; the rest (the Hangul fillers, the variation selectors, the
# combining grapheme joiner) are letters or marks a text may hold beside others, but not alone.
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_JOINERS = frozenset("\u200c\u200d")
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
_LINE_BREAKS_AND_TABS = frozenset("\t\n\r")


@dataclasses.dataclass(frozen=True)
class TextProblem:
    """What is wrong with a text: its receipt's code and words."""

    code: str
    message: str


# The ignorable characters Python counts as printable (the Hangul fillers, the variation
# selectors, …): a printable text of these and spaces alone is blank all the same.
_PRINTABLE_IGNORABLE = {
    code: None
    for first, last in _IGNORABLE
    for code in range(first, last + 1)
    if chr(code).isprintable()
}


def text_problem(text: str, form: TextForm) -> TextProblem | None:
    """What `text`, of a field of `form`, may not hold, if anything: blank (only spaces and
    invisible characters), a control character (`control_character`) or a format character
    (`format_character`), the first one named."""
    # A printable text (`str.isprintable`: no Cc, Cf, Zl or Zp, no space but U+0020), as
    # nearly every one is, can only be blank: judged in C, not a character at a time in Python
    # (ingest asks this of every field of every producer's event: 26 µs an event before).
    if text.isprintable() and (
        text.strip() if text.isascii() else text.translate(_PRINTABLE_IGNORABLE).strip()
    ):
        return None
    return _judged(text, form)


def _judged(text: str, form: TextForm) -> TextProblem | None:
    """`text_problem`, a character at a time."""
    if all(character.isspace() or _ignorable(character) for character in text):
        found = ", ".join(sorted({_named(c) for c in text if not c.isspace()}))
        return TextProblem(
            "string_too_short", f"must not be blank (it has only invisible characters: {found})"
        )
    for at, character in enumerate(text):
        category = unicodedata.category(character)
        if category in _BREAKING and (form.one_line or character not in _LINE_BREAKS_AND_TABS):
            return TextProblem(
                "control_character",
                "must be one line of text without control characters; it has"
                f" U+{ord(character):04X}"
                if form.one_line
                else "must be text without control characters other than line breaks and"
                f" tabs; it has U+{ord(character):04X}",
            )
        if category == "Cf" and not _joining(text, at):
            return TextProblem(
                "format_character",
                f"must be text without invisible format characters; it has {_named(character)}",
            )
    return None


def _ignorable(character: str) -> bool:
    code = ord(character)
    return any(first <= code <= last for first, last in _IGNORABLE)


def _joining(text: str, at: int) -> bool:
    """Whether the character at `at` is a joiner between two visible characters."""
    if text[at] not in _JOINERS or at == 0 or at == len(text) - 1:
        return False
    return all(_visible(text[n]) for n in (at - 1, at + 1))


def _visible(character: str) -> bool:
    # A variation selector is a mark, and counts: an emoji's ends one before a joiner.
    return not character.isspace() and unicodedata.category(character)[0] not in "CZ"


def _named(character: str) -> str:
    """`character` as U+XXXX with its Unicode name (the character itself shows nothing)."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else "")
