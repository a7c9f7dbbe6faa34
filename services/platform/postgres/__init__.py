"""PostgreSQL: the pools and their settings (`database.py`, `session_state.py`), the services'
migrations (`migrations.py`), and `vendorwatch up`'s embedded server."""
