"""Every mutation the console sends carries the submission's idempotency key: a document that
does not declare `$idempotencyKey` and pass it to its root field has the key the form adds
dropped by the API (an unused variable), so a resend after a lost answer, or a double submit,
recorded the event again (a completed audit and a review decision were recorded three times)."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).parents[2] / "services" / "console" / "static"
# A mutation document: from `mutation Name(` to the backquote that closes its template.
MUTATION = re.compile(r"`(mutation (Console[\w${}]+)\(.*?)`", re.DOTALL)


def test_every_console_mutation_passes_its_idempotency_key() -> None:
    documents = [
        (path.name, name, text)
        for path in sorted(STATIC.glob("*.js"))
        for text, name in MUTATION.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(documents) >= 15  # sanctions, plans, incidents, alerts, audits, …
    for file, name, text in documents:
        assert "$idempotencyKey: String" in text, f"{file}: {name} declares no $idempotencyKey"
        assert "idempotencyKey: $idempotencyKey" in text, f"{file}: {name} does not pass it"
