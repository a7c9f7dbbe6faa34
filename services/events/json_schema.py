"""JSON Schema of every event envelope, as checked in under schemas/events/.

The schemas are generated from the pydantic models, so the models stay the one source of
truth; a drift test compares a fresh export with the checked-in files.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

from services.events.catalog import ENVELOPES

SCHEMA_BASE_URL = "https://vendorwatch.example/schemas/events/"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_schemas() -> dict[str, dict[str, Any]]:
    """Event type -> JSON Schema of its typed envelope (what producers must send)."""
    schemas: dict[str, dict[str, Any]] = {}
    for event_type, envelope in ENVELOPES.items():
        schema = envelope.model_json_schema(mode="validation")
        schema["$schema"] = JSON_SCHEMA_DIALECT
        schema["$id"] = f"{SCHEMA_BASE_URL}{event_type}.json"
        schema["title"] = event_type
        schemas[event_type] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    """Stable text of a schema: sorted keys and a trailing newline, so diffs stay small."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def export_event_schemas(target: pathlib.Path) -> list[pathlib.Path]:
    """Writes `<event_type>.json` for every event type into `target`; returns the paths.

    JSON files there that belong to no event type any more are deleted, so a removed or
    renamed event does not leave a schema behind. Other files (README.md) are kept.
    """
    target.mkdir(parents=True, exist_ok=True)
    written: list[pathlib.Path] = []
    for event_type, schema in sorted(event_schemas().items()):
        path = target / f"{event_type}.json"
        # Bytes, not text, so that no platform newline translation changes the files.
        path.write_bytes(render(schema).encode("utf-8"))
        written.append(path)
    keep = set(written)
    for stale in target.glob("*.json"):
        if stale not in keep:
            stale.unlink()
    return written
