"""The functions a schema migration's comments name can be found: each is a function of its
repository, or the repository names it as the function's former name. An applied migration
is never edited (its checksum is checked: tests/integration/test_migrations.py), so a
function renamed after it keeps its old name in the migration's comments, and a reader
searching the code for it must land on the function it was."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

SERVICES = Path(__file__).parents[2] / "services"
# `record_repository.contracting_vendors`, perhaps broken across comment lines after its dot.
NAMED = re.compile(r"\b(\w+_repository)\s*\.\s*(\w+)")


def _named_in_comments() -> list[tuple[str, str, str]]:
    """(migration, repository module, name) for each repository function a comment names."""
    found = []
    for sql in sorted(SERVICES.glob("*/migrations/*.sql")):
        comments = " ".join(
            line.strip().removeprefix("--").strip()
            for line in sql.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("--")
        )
        service = sql.parent.parent.name
        for module, name in NAMED.findall(comments):
            found.append((f"{service}/{sql.name}", f"services.{service}.storage.{module}", name))
    return found


NAMED_IN_COMMENTS = _named_in_comments()


def test_migrations_name_repository_functions() -> None:
    assert NAMED_IN_COMMENTS, "no migration comment names a repository's function"


@pytest.mark.parametrize(("migration", "module", "name"), NAMED_IN_COMMENTS)
def test_a_function_a_migration_names_can_be_found(migration: str, module: str, name: str) -> None:
    repository = importlib.import_module(module)
    found = inspect.isfunction(getattr(repository, name, None))
    assert found or f"`{name}`" in inspect.getsource(repository), (
        f"{migration} names {module}.{name}, which is neither a function there nor named as"
        " one's former name"
    )
