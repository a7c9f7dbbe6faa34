"""Applies each service's SQL migrations once, in order, under an advisory lock.

A small runner rather than Alembic or yoyo: those drive synchronous drivers (SQLAlchemy,
psycopg), while everything here speaks asyncpg; plain numbered SQL files per service keep each
service the owner of its tables, and a checksum refuses silently edited history.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

import asyncpg

from services.platform.postgres.session_state import keeps_session_state

# The services whose tables live in PostgreSQL, in the order their schemas must exist.
MIGRATION_PACKAGES: tuple[str, ...] = (
    "services.platform",
    "services.ingest",
    "services.registry",
    "services.risk",
    "services.migration",
    "services.alerts",
)

# Any constant works; it only has to be the same for every process migrating this database.
# Platform migration 0013 names it too (as 1448561993): migrations, holding it, may write a
# recorded order's rows for a later migration to seal, which other writers may not.
LOCK_KEY = 0x56574D49  # "VWMI"


@dataclass(frozen=True)
class Migration:
    package: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(package: str) -> list[Migration]:
    """The `NNNN_name.sql` files under `<package>/migrations`, ordered by number."""
    folder = resources.files(package) / "migrations"
    found = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        number, _, rest = entry.name.partition("_")
        found.append(Migration(package, int(number), rest.removesuffix(".sql"), entry.read_text()))
    return sorted(found, key=lambda m: m.version)


class MigrationDrift(RuntimeError):
    """An applied migration's file changed afterwards: history must not be rewritten."""


class NewerDatabase(RuntimeError):
    """The database has applied migrations this code does not have: a newer release migrated
    it, whose schema this process's statements may no longer fit (ARCHITECTURE.md, "Whole
    upgrades")."""


def _refuse_newer(code: dict[str, list[Migration]], rows: list[asyncpg.Record]) -> None:
    """Raises NewerDatabase, naming the database's migrations this code lacks and the last
    this code has of their packages, when there are any."""
    ours = {(package, m.version) for package, found in code.items() for m in found}
    unknown = sorted(
        (r["package"], r["version"], r["name"])
        for r in rows
        if (r["package"], r["version"]) not in ours
    )
    if not unknown:
        return
    theirs = ", ".join(f"{package} {version:04d}_{name}" for package, version, name in unknown)
    last = []
    for package in dict.fromkeys(package for package, _, _ in unknown):  # each once, in order
        found = code.get(package)  # a package a newer release added: none here
        last.append(
            f"{package} {found[-1].version:04d}_{found[-1].name}"
            if found
            else f"no {package} migration"
        )
    raise NewerDatabase(
        f"the database was migrated by a newer release than this process's: it has applied"
        f" {theirs}, where this release ends at {', '.join(last)}. Stop this process and run"
        " the release that migrated the database: an upgrade is whole, not rolling"
    )


async def apply_migrations(pool: asyncpg.Pool) -> list[Migration]:
    """Applies what is missing, each file in its own transaction; returns what it applied.
    Refuses a database a newer release migrated (NewerDatabase), applying nothing."""
    applied: list[Migration] = []
    code = {package: load_migrations(package) for package in MIGRATION_PACKAGES}
    async with pool.acquire() as conn:
        keeps_session_state(conn)
        await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       package text NOT NULL,
                       version integer NOT NULL,
                       name text NOT NULL,
                       checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now(),
                       PRIMARY KEY (package, version))"""
            )
            rows = await conn.fetch(
                "SELECT package, version, name, checksum FROM schema_migrations"
            )
            _refuse_newer(code, rows)
            known = {(r["package"], r["version"]): r["checksum"] for r in rows}
            for package, found in code.items():
                for migration in found:
                    checksum = known.get((package, migration.version))
                    if checksum == migration.checksum:
                        continue
                    if checksum is not None:
                        raise MigrationDrift(
                            f"migration {package} {migration.version:04d}_{migration.name} "
                            "was changed after it was applied; add a new migration instead"
                        )
                    async with conn.transaction():
                        await conn.execute(migration.sql)
                        await conn.execute(
                            "INSERT INTO schema_migrations (package, version, name, checksum)"
                            " VALUES ($1, $2, $3, $4)",
                            package,
                            migration.version,
                            migration.name,
                            migration.checksum,
                        )
                    applied.append(migration)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
    return applied


async def pending_migrations(pool: asyncpg.Pool | asyncpg.Connection) -> list[str]:
    """The migrations this code has that the database has not applied (readiness: a process
    started before a newer one migrated is fine, one whose schema is missing is not)."""
    if not await pool.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
        return ["schema_migrations (nothing applied)"]
    applied = {
        (r["package"], r["version"])
        for r in await pool.fetch("SELECT package, version FROM schema_migrations")
    }
    return [
        f"{package} {migration.version:04d}_{migration.name}"
        for package in MIGRATION_PACKAGES
        for migration in load_migrations(package)
        if (package, migration.version) not in applied
    ]
