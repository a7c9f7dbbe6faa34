"""Who is calling: bearer tokens and their keys (`auth.py`, `auth_keys.py`), and which
agencies' data a caller may see (`access.py`)."""
