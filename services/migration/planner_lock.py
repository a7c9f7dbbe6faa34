"""The planner's advisory lock key, apart from the planner so that taking the lock (a
rebuild) does not import the solver and everything the planner needs (half a second)."""

# One planner at a time (workers may be replicated): a plan is solved once per change. A
# rebuild holds it too: a plan half replayed must not be solved.
PLANNER_LOCK_KEY = 0x5657_4D50  # "VWMP"
