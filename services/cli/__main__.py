"""`python -m services.cli` is `vendorwatch`."""

from services.cli.main import main

main()
