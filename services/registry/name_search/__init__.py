"""Vendor name search: the ranking (`search.py`), the n-gram index that answers it without
scoring every name (`name_index.py`, `gram_postings.py`), and the feed that keeps an API
process's index up to date (`name_index_feed.py`)."""
