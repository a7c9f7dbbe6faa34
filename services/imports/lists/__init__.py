"""Readers of the debarment and suspension lists VendorWatch imports: the development banks',
the Japanese lists, and its own exclusions export read back (pure)."""
