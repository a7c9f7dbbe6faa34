"""What every `vendorwatch` command does alike: run its coroutine, log its way."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import sys
from collections.abc import Coroutine
from types import FrameType
from typing import Any, NoReturn

import click
import uvloop

from services.cli.lost_partway import said_if_lost
from services.platform.errors import StartupError
from services.platform.operations.collector import tune_for_long_runs
from services.platform.operations.logs import LogFormat, configure_logging
from services.platform.operations.outages import output_failed

LOG_LEVELS = click.Choice(["debug", "info", "warn", "error"])


def run(
    coroutine: Coroutine[Any, Any, None], *, serving: bool = False, unwritten_exit: int = 1
) -> None:
    """Runs a command's work; a StartupError is one line (click's), and so is a dependency
    lost partway by a command not `serving` (`lost_partway`, as the commands that know where
    say it: PostgreSQL stopped under an import, a TaskGroup's errors each an outage), which
    exits 1: a traceback of 85 to 254 lines read as a fault of ours. A fault of ours keeps its
    traceback. Ctrl-C or SIGTERM stops a
    command `serving` quietly (how it is meant to stop); any other command, stopped before
    it finished, says so and exits 128 + the signal's number, as a shell reports it: an
    interrupted `verify` exiting 0 read as "intact" to the job that ran it, an interrupted
    `publish` or `rebuild` as done.

    A command `serving` the API runs on uvloop: its sockets' reads and writes, callbacks and
    timers cost a fraction of asyncio's own loop, and a small request is mostly those (on
    asyncio's loop, the socket writes of its statements and its answer were the largest part
    of an eligibility check's sampled CPU). The workers keep asyncio's loop, which faust is
    built and tested on.

    Output that cannot be written (`outages.output_failed`) is said as such, never as a lost
    dependency, and exits `unwritten_exit` (verify's "no verdict": its 1 is a broken log); a
    reader that went away (`| head -1`) ends it quietly, as Unix tools end on SIGPIPE."""
    # SIGTERM stops through every `finally` (the embedded PostgreSQL, pools): uvicorn, having
    # shut down on it, raises it again, and its default action would kill the process on the
    # spot. A command `serving` stops as Ctrl-C does, by the SIGINT handler in place: the
    # runner's, which cancels the command's task and lets it unwind (a second signal raises
    # KeyboardInterrupt), or uvicorn's while it serves. KeyboardInterrupt raised in the middle
    # of a turn of its loop made the runner cancel every task at once, asyncpg's shielded
    # returns of connections to their pool among them: the pool then waited for those
    # connections at its close (`up` stopping in 11-15 s, one stop in five, after a WARNING
    # naming no task; tests/integration/test_stop_signal.py). Any other command is
    # interrupted where it is: it may be blocked reading its input on the loop's thread (a
    # `publish -` from a pipe), which a cancelled task would not leave.
    terminated: list[bool] = []

    def terminate(signum: int, frame: FrameType | None) -> None:
        terminated.append(True)
        interrupt = signal.getsignal(signal.SIGINT)
        if serving and callable(interrupt):
            interrupt(signal.SIGINT, frame)
        else:
            signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGTERM, terminate)
    tune_for_long_runs()
    try:
        with asyncio.Runner(loop_factory=uvloop.new_event_loop if serving else None) as runner:
            runner.run(coroutine if serving else _said_if_lost(coroutine))
        sys.stdout.flush()  # what is still buffered fails here, not unsaid at the exit
    except StartupError as error:  # errors.Lost among them
        raise click.ClickException(str(error)) from None
    except OSError as error:
        if serving or not output_failed(error):
            raise
        _unwritten(error, unwritten_exit)
    except KeyboardInterrupt:
        if serving:
            return
        stopped_by = signal.SIGTERM if terminated else signal.SIGINT
        click.echo(f"interrupted ({stopped_by.name}): stopped before it finished", err=True)
        sys.exit(128 + stopped_by)


def _unwritten(error: OSError, exit_code: int) -> NoReturn:
    """Ends a command whose output could not be written. Its stdout is pointed at /dev/null
    first: what stays buffered would fail again at the interpreter's last flush, said as
    "Exception ignored" and a traceback."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if error.errno == errno.EPIPE:
        # 128 + SIGPIPE: what a shell reports for a tool the signal ended (`yes | head -1`).
        sys.exit(128 + signal.SIGPIPE)
    said = click.ClickException(f"could not write the output: {error}")
    said.exit_code = exit_code
    raise said from None


async def _said_if_lost(work: Coroutine[Any, Any, None]) -> None:
    """`work`, a dependency it loses said by the one handler every command's goes through
    (a command that knows where, and how far, says so first: errors.Lost)."""
    async with said_if_lost():
        await work


def configure(level: str, *, quiet_libraries: bool = False) -> LogFormat:
    """Every command logs the same way; the format is the root group's --log-format, which
    is returned."""
    log_format: LogFormat = click.get_current_context().find_root().params.get("log_format", "json")
    configure_logging(level, log_format, quiet_libraries=quiet_libraries)
    return log_format
