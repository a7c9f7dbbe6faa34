"""Who is barred on a day, for other systems (`exclusions.py`), in their formats
(`exclusion_formats.py`)."""
