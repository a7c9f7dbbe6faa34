"""graphql-schema-linter (npm, installed in tests/clients by ./scripts/test) passes on the
checked-in SDL with the rules kept in tests/clients/graphql-schema-linter.config.js (which says
why each rule left out is)."""

from __future__ import annotations

import pathlib
import subprocess

from services.cli.schema_export import GRAPHQL_SDL
from tests.support.node_clients import CLIENTS, node_command

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
LINTER = "node_modules/graphql-schema-linter/lib/cli.js"


def _lint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*node_command(LINTER), "--config-directory", str(CLIENTS), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )


def test_the_schema_passes_the_rules_kept() -> None:
    linted = _lint(str(GRAPHQL_SDL))
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_rules_kept_are_in_force() -> None:
    """The same run fails a schema that breaks a kept rule, so a passing schema is a checked
    one (not a configuration the linter could not read)."""
    undescribed = '"""The root."""\ntype Query {\n  """A vendor."""\n  vendor_name: String\n}\n'
    linted = _lint("--stdin", stdin=undescribed)
    assert linted.returncode == 1
    assert "fields-are-camel-cased" in linted.stdout
