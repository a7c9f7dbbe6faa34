"""The `vendorwatch` subcommands, one module per family (each long-running process one of its
own), each loaded only when one of its commands runs (`cli/main.py`)."""
