"""The `vendorwatch` subcommands, one module per family, each loaded only when one of its
commands runs (`cli/main.py`)."""
