"""The peak memory of one import of a file, measured in a fresh interpreter (Linux: /proc), so
that what an earlier measure or the test run allocated does not count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

# Run in a fresh interpreter: `module:function` (argv[1]) of the file at argv[2] under
# tracemalloc; prints the resident set before it, the traced peak, the resident peak (bytes).
# Writing 5 to clear_refs starts the peak resident set again from there (not from the
# imports' peak).
_MEASURED = """
import importlib, re, sys, tracemalloc
from pathlib import Path
module, function = sys.argv[1].split(":")
work = getattr(importlib.import_module(module), function)
def status(field):
    found = re.search(field + r":\\s+(\\d+) kB", Path("/proc/self/status").read_text())
    return int(found[1]) * 1024
Path("/proc/self/clear_refs").write_text("5")
before = status("VmRSS")
tracemalloc.start()
work(Path(sys.argv[2]))
print(before, tracemalloc.get_traced_memory()[1], status("VmHWM"))
"""


def peaks(path: Path, work: str) -> tuple[int, int, int]:
    """The resident set before `work` (`module:function`, given the path) ran on `path`, the
    peak traced and the peak resident (bytes)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, work, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    before, traced, resident = map(int, done.stdout.split())
    return before, traced, resident
