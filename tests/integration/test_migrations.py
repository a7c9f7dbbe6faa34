"""Schema migrations: applied once, in order, and edited history is refused."""

from __future__ import annotations

import asyncpg
import pytest

from services.platform.postgres import migrations
from services.platform.postgres.migrations import MigrationDrift, apply_migrations

pytestmark = pytest.mark.postgres


async def test_migrations_are_recorded_and_not_applied_twice(pool: asyncpg.Pool) -> None:
    assert await apply_migrations(pool) == []  # the test database is migrated already
    recorded = await pool.fetch("SELECT package, version FROM schema_migrations")
    expected = {
        (package, m.version)
        for package in migrations.MIGRATION_PACKAGES
        for m in migrations.load_migrations(package)
    }
    assert {(r["package"], r["version"]) for r in recorded} == expected
    assert ("services.platform", 1) in expected and ("services.registry", 1) in expected


async def test_an_applied_migration_that_changed_is_refused(pool: asyncpg.Pool) -> None:
    await pool.execute(
        "UPDATE schema_migrations SET checksum = 'edited' WHERE package = 'services.registry'"
    )
    with pytest.raises(MigrationDrift, match="was changed after it was applied"):
        await apply_migrations(pool)
