"""The arrows of ARCHITECTURE.md's code map, checked on every import in `services/`: `events` ←
`platform` ← each service ← `gateway` ← `cli`. A package imports its own modules and those of
the layers below it, never above; a service imports another service only along the edges
listed here, each with why, so that a new one is a decision, not an accident."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "services"

# Each top-level package of `services/` and its layer: a package may import from its layer's
# packages only along SERVICE_EDGES, and from the layers below freely.
LAYERS = {
    "events": 0,
    "platform": 1,
    "alerts": 2,
    "console": 2,
    "imports": 2,
    "ingest": 2,
    "migration": 2,
    "registry": 2,
    "risk": 2,
    "gateway": 3,
    "cli": 4,
}

# Service → service imports, with why.
SERVICE_EDGES = {
    ("alerts", "registry"): "alerts watch the registry's records and announcements",
    ("imports", "registry"): "an import resolves entities against the registry's vendors",
    ("migration", "registry"): "a plan's awards are checked against eligibility",
    ("risk", "registry"): "risk folds sanctions with the registry's pure timeline rules",
    ("registry", "risk"): "the registry's Vendor type has a `risk` field (risk's GraphQL type)",
}


def _imports() -> list[tuple[str, str, str]]:
    """(importing package, imported package, file) for every `services.*` import."""
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        package = path.relative_to(SERVICES).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] == "services" and len(parts) > 1 and parts[1] != package:
                    found.append((package, parts[1], str(path.relative_to(SERVICES.parent))))
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SERVICES.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("importer", sorted(LAYERS))
def test_imports_point_down(importer: str) -> None:
    wrong = [
        f"{path}: {importer} imports {imported}"
        for package, imported, path in _imports()
        if package == importer
        and (
            LAYERS[imported] > LAYERS[importer]
            or (LAYERS[imported] == LAYERS[importer] and (importer, imported) not in SERVICE_EDGES)
        )
    ]
    assert wrong == []


def test_every_listed_edge_is_still_there() -> None:
    present = {(package, imported) for package, imported, _ in _imports()}
    assert set(SERVICE_EDGES) <= present
