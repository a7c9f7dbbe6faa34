"""Items' dependencies as a graph (pure): the cycles in it, which no schedule can keep, and
the words every place that tells one uses (the planner's conflicts, a change's refusal).

`depends_on` maps each item still to plan to the items it moves after; a dependency on an item
not in it (one done: its own dependencies are history) is not followed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Graph = Mapping[str, Sequence[str]]


def first_cycle(depends_on: Graph) -> tuple[str, ...]:
    """A cycle among the items, each depending on the next and the first named again last,
    found by one depth-first walk in the graph's order; empty when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: explored, no cycle through it
    path: list[str] = []

    def visit(cid: str) -> tuple[str, ...]:
        state[cid] = 1
        path.append(cid)
        for dependency in depends_on[cid]:
            if dependency not in depends_on:
                continue
            if state.get(dependency) == 1:
                return (*path[path.index(dependency) :], dependency)
            if dependency not in state and (cycle := visit(dependency)):
                return cycle
        path.pop()
        state[cid] = 2
        return ()

    for cid in depends_on:
        if cid not in state and (cycle := visit(cid)):
            return cycle
    return ()


def cycle_through(start: str, depends_on: Graph) -> tuple[str, ...]:
    """A cycle through `start` (named first and last), the dependencies leading from it back
    to it; empty when none does. A cycle elsewhere that `start` only leads into is not its."""
    seen: set[str] = set()
    path = [start]

    def back_to_start(cid: str) -> bool:
        for dependency in depends_on.get(cid, ()):
            if dependency == start:
                path.append(start)
                return True
            if dependency in depends_on and dependency not in seen:
                seen.add(dependency)
                path.append(dependency)
                if back_to_start(dependency):
                    return True
                path.pop()
        return False

    return tuple(path) if back_to_start(start) else ()


def said(cycle: Sequence[str]) -> str:
    """A cycle in words: "c01 → c03 → c01 (each must cut over after the next)"."""
    return f"{' → '.join(cycle)} (each must cut over after the next)"
