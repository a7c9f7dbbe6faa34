"""The event contract: the envelope and every payload model of the catalog (README.md, "The
event contract")."""
