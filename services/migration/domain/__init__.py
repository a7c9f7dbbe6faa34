"""The migration service's rules about plans, items and bars (pure)."""
