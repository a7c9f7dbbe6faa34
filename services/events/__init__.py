"""The event contract: the envelope and every payload model of the catalog (see DESIGN.md)."""
