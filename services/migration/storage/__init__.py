"""Where the migration service keeps contracts, plans and versions, and reads them back."""
