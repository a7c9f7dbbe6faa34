"""GraphQL documents written to cost the API more than their size: for the limit tests."""

from __future__ import annotations

# What the API refuses such a document with (its size limit, protection.Limits).
SPREAD_OUT_LIMIT = (
    "the document holds more than 10000 selections once each fragment spread is counted as"
    " its fragment's selections (the maximum; a fragment spread twice counts twice)"
)


def fragment_bomb(
    fragments: int, operation: str = "query", root: str = "Query", leaf: str = "today"
) -> str:
    """`fragments` fragments on `root`, each spreading the one before twice, the first
    selecting `leaf`: ~40 bytes a fragment, 3 * 2^(fragments-1) selections once spread out
    (40 fragments: 1.5 KB, ~500 tokens, 1.6e12 selections)."""
    last = fragments - 1
    spreads = "".join(
        f"fragment F{i} on {root} {{ ...F{i - 1} ...F{i - 1} }}\n" for i in range(1, fragments)
    )
    return f"{operation} {{ ...F{last} }}\nfragment F0 on {root} {{ {leaf} }}\n{spreads}"
