"""The registry's tables: vendors, sanctions, records, review decisions and import reports
(asyncpg; the schema is `../migrations/`)."""
