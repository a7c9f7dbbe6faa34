"""Writes the generated artefacts that are checked in: event JSON Schemas and GraphQL SDL."""

from __future__ import annotations

from pathlib import Path

from services.events.json_schema import export_event_schemas
from services.gateway.schema import schema_sdl

GRAPHQL_SDL = Path("graphql") / "schema.graphql"
EVENT_SCHEMAS = Path("schemas") / "events"


def export_all(root: Path) -> list[Path]:
    written = export_event_schemas(root / EVENT_SCHEMAS)
    sdl = root / GRAPHQL_SDL
    sdl.parent.mkdir(parents=True, exist_ok=True)
    sdl.write_text(schema_sdl(), encoding="utf-8")
    return [*written, sdl]
