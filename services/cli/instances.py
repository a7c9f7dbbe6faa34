"""Where each running `vendorwatch up` serves, so that the other commands find its database
without being told: one small JSON file per process in the user state directory.

A record is valid while its process holds an exclusive lock on it: the lock dies with the
process (even on kill -9) and, unlike a pid, cannot be mistaken for a later process that
got the same pid. Records whose lock is free are stale and removed by whoever sees them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from services.platform.postgres.database import redacted


@dataclass(frozen=True)
class Instance:
    """One running `vendorwatch up`."""

    pid: int
    database_url: str
    # The data directory: the local token secret beside it, and the embedded PostgreSQL in
    # it unless `up` was given a database URL.
    home: Path
    embedded: bool
    graphql: str

    def describe(self) -> str:
        """How to choose this one on the command line (no password shown)."""
        url = redacted(self.database_url)
        choice = f"--data-dir {self.home}" if self.embedded else f"--database-url {url}"
        return f"pid {self.pid} at {self.graphql}: {choice}"


def records_dir() -> Path:
    """$XDG_STATE_HOME/vendorwatch/running on Linux (the platform's user state dir elsewhere)."""
    return platformdirs.user_state_path("vendorwatch") / "running"


@contextlib.contextmanager
def recorded(instance: Instance) -> Iterator[None]:
    """Records `instance` while the block runs (the caller is that process)."""
    directory = records_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{instance.pid}.json"
    # Written and locked under a temporary name, then renamed (the lock follows the file), so
    # no reader ever sees a record that is incomplete or not yet locked.
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".json")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        document = {
            "pid": instance.pid,
            "database_url": instance.database_url,
            "home": str(instance.home),
            "embedded": instance.embedded,
            "graphql": instance.graphql,
        }
        os.write(handle, json.dumps(document).encode())
        os.replace(temporary, path)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(handle)


def running() -> list[Instance]:
    """Every `vendorwatch up` of this user that is running now, oldest record first."""
    directory = records_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("[0-9]*.json"), key=_modified):
        instance = _read_if_held(path)
        if instance is not None:
            found.append(instance)
    return found


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _read_if_held(path: Path) -> Instance | None:
    try:
        file = path.open("rb")
    except FileNotFoundError:  # its process just stopped
        return None
    with file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # held: its process is running
            try:
                document = json.loads(file.read())
                return Instance(
                    pid=int(document["pid"]),
                    database_url=str(document["database_url"]),
                    home=Path(document["home"]),
                    embedded=bool(document["embedded"]),
                    graphql=str(document["graphql"]),
                )
            except (ValueError, KeyError, TypeError):
                return None  # written by another version: not ours to judge
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # stale: its process died without removing it
        return None
