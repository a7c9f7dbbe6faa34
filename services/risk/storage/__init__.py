"""Risk's tables: the events it keeps, vendors' states, scores and their evidence bodies
(asyncpg; the schema is `../migrations/`)."""
