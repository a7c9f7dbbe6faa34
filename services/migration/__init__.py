"""Migration: phased plans to move contracts away from suspended vendors."""
