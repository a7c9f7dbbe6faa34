"""Shared plumbing of every service: settings, PostgreSQL, the event log adapters."""
