"""What the document checks weigh a document at (`document_weight`, by which their caches are
bounded) is no less than what its parse and its facts keep alive, measured, for the API's own
documents and for the largest the limits let through in each shape."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

from graphql import parse
from services.gateway.execution.document_checks import DocumentChecks, document_weight
from services.gateway.http.protection import Limits
from services.gateway.schema import build_schema

LIMITS = Limits()
SCHEMA = build_schema(LIMITS)._schema
OPERATIONS = sorted(Path("graphql/operations").glob("*.graphql"))
BIDDERS = ",".join(f'{{ref: "{n}", vendorId: "vendor-{n:06d}"}}' for n in range(1000))
LARGEST = {
    "fields": "{" + " ".join(f"f{n}" for n in range(9_990)) + "}",
    "aliases": "{" + " ".join(f"a{n}: today" for n in range(3_300)) + "}",
    "comment lines": "{ today }" + "\n#" * 9_990,
    "one comment": "{ today }\n#" + "x" * (LIMITS.max_document_chars - 11),
    "one string": '{ vendor(id: "' + "x" * (LIMITS.max_document_chars - 30) + '") { id } }',
    "1,000 bidders": f"{{ screenBidders(bidders: [{BIDDERS}]) {{ ref }} }}",
}
TEXTS = {path.name: path.read_text() for path in OPERATIONS} | LARGEST


@pytest.mark.parametrize("name", TEXTS)
def test_a_document_weighs_no_less_than_it_holds(name: str) -> None:
    text = TEXTS[name]
    checks = DocumentChecks(LIMITS.validation_rules())
    gc.collect()
    tracemalloc.start()
    try:
        document = parse(text, max_tokens=LIMITS.max_tokens)
        facts = checks.facts(SCHEMA, text, document, ())
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert facts.document is document
    assert document_weight(text, document) >= held + len(text)  # the text was made before
