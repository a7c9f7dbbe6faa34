"""What people record through the API: the typed mutations of the events they may record,
their input types, and the raw mutation."""
