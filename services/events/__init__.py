"""The event contract: the envelope and every payload model of the catalog (README.md in
this folder, "The event contract")."""
