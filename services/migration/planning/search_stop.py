"""Ending a planning run's CP-SAT searches from another thread.

The planner solves in a worker thread (`planner.replan`), which cancelling its task does not
stop: a worker shutting down, or `vendorwatch up` stopped with Ctrl-C, waited for the search
to reach its time limit, up to ten minutes for a plan given a long one. A run's searches go
through one `SearchStop`, whose `stop` ends the one under way (CP-SAT's `stop_search`, safe
from any thread) and refuses to begin another.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the planner imports the solver library on its first solve (planner.py)
    from ortools.sat.python import cp_model


class SearchStopped(Exception):
    """The run was stopped before this search began."""


class SearchStop:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._solver: cp_model.CpSolver | None = None
        self._stopped = False

    def solve(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        """`solver.solve(model)`, ended early by `stop`; raises SearchStopped once stopped."""
        with self._lock:
            if self._stopped:
                raise SearchStopped
            self._solver = solver
        try:
            return solver.solve(model)
        finally:
            with self._lock:
                self._solver = None

    def stop(self) -> None:
        """Ends the search under way and any to come. A search asked to stop just as it
        begins may not have set itself up to hear it yet: a caller waiting for the run asks
        again until it ends."""
        with self._lock:
            self._stopped = True
            if self._solver is not None:
                self._solver.stop_search()
