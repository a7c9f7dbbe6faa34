"""The planner's advisory lock key, apart from the planner so that taking the lock (a
rebuild) does not import the solver and everything the planner needs (half a second)."""

# Held shared by every solve (workers may be replicated), exclusively by a rebuild: a plan
# half replayed must not be solved.
PLANNER_LOCK_KEY = 0x5657_4D50  # "VWMP"
# With a hash of the plan's id, the lock of one plan's solve (planner_queue.py): a plan is
# solved by one planner at a time, so once per change.
PLAN_LOCK_CLASS = 0x5650_4C4E  # "VPLN"
