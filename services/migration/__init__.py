"""Migration: phased plans to move contracts away from suspended vendors (not built yet:
issue 5)."""
