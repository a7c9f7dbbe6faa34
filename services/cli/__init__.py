"""Entrypoints: the `vendorwatch` command and the processes it runs."""
