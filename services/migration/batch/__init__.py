"""The migration service's batch handler and the rules it applies set-based."""
