"""Risk's pure rules: the facts a vendor's events leave (`facts.py`, folded by `fold.py`), the
model (`model.py`), the factors and scores (`scoring.py`, `risk_score.py`, with the terms,
decays and contract index that make them cheap to compute again), no I/O."""
