"""The checked-in GraphQL SDL (graphql/schema.graphql) matches the code's schema."""

from __future__ import annotations

import pathlib

from services.cli.schema_export import GRAPHQL_SDL, export_all
from services.gateway.schema import schema_sdl

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_checked_in_sdl_matches_the_schema() -> None:
    checked_in = (REPO_ROOT / GRAPHQL_SDL).read_text(encoding="utf-8")
    assert checked_in == schema_sdl(), (
        "graphql/schema.graphql is out of date: run `vendorwatch schemas export` and commit it"
    )


def test_export_writes_both_artefacts_under_the_given_root(tmp_path: pathlib.Path) -> None:
    written = export_all(tmp_path)
    assert tmp_path / GRAPHQL_SDL in written
    assert (tmp_path / GRAPHQL_SDL).read_text(encoding="utf-8") == schema_sdl()
    assert any(p.parent == tmp_path / "schemas" / "events" for p in written)
