"""What the API asks the registry, answered from its tables in a bounded number of statements:
eligibility of one vendor or many (`single_check.py`, `screening.py`), the queries
(`queries.py`), and which agency a record belongs to (`record_scope.py`)."""
