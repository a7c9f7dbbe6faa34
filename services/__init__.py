"""VendorWatch: vendor risk and procurement sanction registry on event streaming."""
