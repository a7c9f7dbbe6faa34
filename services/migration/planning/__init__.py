"""Planning a migration: the problem, the solver, the words that explain its schedule, and the
plan as CSV rows and a Gantt chart (pure)."""
