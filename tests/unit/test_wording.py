"""What a user typed is quoted in a refusal as typed, its spaces included (a tester found
"City　procurement　office" said as 'City\\u3000procurement\\u3000office'); what would break
the message's line or cannot be seen stays escaped, as `repr` writes it (pure)."""

from __future__ import annotations

import pytest

from services.platform.wording import quoted


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("City\u3000procurement\u3000office", "'City\u3000procurement\u3000office'"),
        ("no\u00a0break", "'no\u00a0break'"),
        ("市民課", "'市民課'"),
        # repr's choice of quotes, and its escapes of quotes and backslashes, are kept.
        ("O'Brien", '"O\'Brien"'),
        ("a\\u3000b", "'a\\\\u3000b'"),
        # A line break, a tab, an invisible character: escaped.
        ("two\nlines", "'two\\nlines'"),
        ("tab\there", "'tab\\there'"),
        ("zero\u200bwidth", "'zero\\u200bwidth'"),
    ],
)
def test_quoted_as_typed(typed: str, said: str) -> None:
    assert quoted(typed) == said
