"""`vendorwatch up` as an operator runs it: stopped by a signal it leaves no process behind,
and the other commands find its database without being told, or refuse to guess."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from services.cli.serving import GRACEFUL_STOP_SECONDS
from services.gateway.http.graphiql import STATIC_PATH
from tests.support import case_b
from tests.support.postgres_outage import pg_ctl_stop
from tests.support.processes import GraphQLClient, Service, free_port, run_cli, wait_until
from tests.support.slice_checks import VENDOR

pytestmark = pytest.mark.postgres

GRAPHIQL_BUNDLE = f"{STATIC_PATH}/graphiql.min.js"
README_EXAMPLE = Path(__file__).resolve().parents[2] / "schemas" / "examples" / "case-b.jsonl"


@pytest.fixture
def own_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default data dir of this test only (XDG, Linux; the records of running `up`s are
    already, conftest.py); tokens signed with the local secret of the data dir, as on an
    operator's machine."""
    monkeypatch.delenv("VENDORWATCH_JWT_SECRET")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))
    monkeypatch.delenv("VENDORWATCH_DATA_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def records(own_user_dirs: Path) -> list[dict[str, object]]:
    directory = own_user_dirs / "state" / "vendorwatch" / "running"
    return [json.loads(path.read_text()) for path in directory.glob("*.json")]


def start_up(name: str, tmp_path: Path, *args: str) -> tuple[Service, GraphQLClient]:
    port = free_port()
    service = Service(name, ["up", "--port", str(port), *args], tmp_path)
    client = GraphQLClient(f"http://127.0.0.1:{port}/graphql")
    try:
        wait_until(client.serving, f"{name} to answer", timeout=90)
    except AssertionError:
        print(service.log_tail())
        service.kill()
        raise
    return service, client


def alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def left_behind(pids: Iterable[int], within: float = 10.0) -> list[str]:
    """The processes of `pids` still running `within` seconds from now, by command line. A
    process that ends when its parent has ended (multiprocessing's resource tracker, a
    child walking the chains) sees that a moment after the parent: it is not left behind."""
    deadline = time.monotonic() + within
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [f"{pid}: {' '.join(_cmdline(pid))}" for pid in left]


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.NoSuchProcess:
        return ["(ended)"]


def processes_using(data_dir: Path) -> list[int]:
    """Processes whose command line names the data dir (the postmaster and its backends
    show it; pg_ctl too while it runs)."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any(str(data_dir) in part for part in cmdline) and alive(process.info["pid"]):
            found.append(process.info["pid"])
    return found


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_stop_signal_leaves_no_process_behind(
    stop_signal: int, own_user_dirs: Path, tmp_path: Path
) -> None:
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    client.close()
    postmaster = int((data_dir / "postmaster.pid").read_text().splitlines()[0])
    started = {p.pid for p in psutil.Process(up.process.pid).children(recursive=True)}
    started |= {postmaster, *processes_using(data_dir)}
    assert postmaster in processes_using(data_dir)
    assert [r["pid"] for r in records(own_user_dirs)] == [up.process.pid]

    assert up.stop(stop_signal) == 0, up.log_tail()

    assert "Traceback" not in up.log_tail(200)
    assert left_behind(started) == []
    assert processes_using(data_dir) == []
    assert not (data_dir / "postmaster.pid").exists()
    # pgserver's list of the server's users is empty, so the next run stops it as well.
    assert json.loads((data_dir / ".handle_pids.json").read_text()) == []
    assert records(own_user_dirs) == []


@contextlib.contextmanager
def stalled_download(client: GraphQLClient) -> Iterator[None]:
    """A client reading no further than the headers of the 3.5 MB GraphiQL bundle, with a
    small window: its answer stalls, under way, for the block."""
    with socket.socket() as stalled:
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", httpx.URL(client.url).port))
        stalled.sendall(f"GET {GRAPHIQL_BUNDLE} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert stalled.recv(200).startswith(b"HTTP/1.1 200")
        yield


def test_a_client_that_stops_reading_does_not_hold_the_stop(
    own_user_dirs: Path, tmp_path: Path
) -> None:
    """One client that stopped reading a large answer kept a SIGTERM'd `up`, and its embedded
    PostgreSQL, running for as long as it held its socket (an operator's finding: 90 s, a
    second SIGTERM no help). The answers under way are given GRACEFUL_STOP_SECONDS, then
    cancelled, which is said in a WARNING, not an ERROR with a traceback."""
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    client.close()
    with stalled_download(client):
        started = time.monotonic()
        assert up.stop(signal.SIGTERM) == 0, up.log_tail()
        took = time.monotonic() - started
    assert took < GRACEFUL_STOP_SECONDS + 15, up.log_tail()
    assert processes_using(data_dir) == []
    logged = up.log_tail(400)
    assert "an answer under way was cancelled by the stop" in logged, logged
    assert "Traceback" not in logged and '"level": "ERROR"' not in logged, logged


def test_a_second_sigterm_does_not_wait_for_the_answers(
    own_user_dirs: Path, tmp_path: Path
) -> None:
    """As a second Ctrl-C: an operator's second `kill` waited out the answers' time all the
    same."""
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    client.close()
    with stalled_download(client):
        started = time.monotonic()
        up.process.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert up.stop(signal.SIGTERM) == 0, up.log_tail()
        took = time.monotonic() - started
    assert took < GRACEFUL_STOP_SECONDS, up.log_tail()
    assert processes_using(data_dir) == []


@pytest.fixture
def up_on_data_dir(own_user_dirs: Path, tmp_path: Path) -> Iterator[tuple[Path, GraphQLClient]]:
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    try:
        yield data_dir, client
    finally:
        client.close()
        up.stop()


def test_every_command_finds_the_running_up(
    up_on_data_dir: tuple[Path, GraphQLClient], own_user_dirs: Path
) -> None:
    """The README's `vendorwatch publish FILE` with `up --data-dir D` running goes into D's
    database, and so do rebuild, verify and token, none of them told where it is."""
    _, client = up_on_data_dir
    # up signs with the local secret of its data dir: so must `token create`.
    created = run_cli("token", "create", "--role", "viewer")
    assert created.returncode == 0, created.stderr
    viewer = GraphQLClient(client.url, token=created.stdout.strip())
    published = run_cli("publish", str(README_EXAMPLE))
    assert published.returncode == 0, published.stderr
    assert published.stdout.startswith("stored 2 of 2 events in the embedded event log")

    def registered() -> bool:
        return bool(viewer.data(VENDOR, id=case_b.VENDOR)["vendor"] is not None)

    try:
        wait_until(registered, "vendor B, published without naming the database")
    finally:
        viewer.close()
    rebuilt = run_cli("rebuild", "risk")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.strip() == "rebuilt risk from 2 events"
    verified = run_cli("verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("intact: 2 events in 6 chains")
    # No second database was made in the user data directory.
    assert not (own_user_dirs / "user-data" / "vendorwatch").exists()


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    (line,) = [line for line in stderr.splitlines() if line.startswith("Error:")]
    return line


def test_up_given_a_data_dir_uses_it_whatever_database_url_says(
    own_user_dirs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`up --data-dir D` with DATABASE_URL set waited for that URL's PostgreSQL and made no D
    (a tester's finding): the directory given wins, as for every other command."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    try:
        assert (data_dir / "PG_VERSION").is_file()
        [record] = records(own_user_dirs)
        assert (record["home"], record["embedded"]) == (str(data_dir), True)
    finally:
        client.close()
        up.stop()


def test_with_two_running_the_commands_ask_which(
    up_on_data_dir: tuple[Path, GraphQLClient],
    own_user_dirs: Path,
    database_url: str,
    tmp_path: Path,
) -> None:
    data_dir, _ = up_on_data_dir
    other, other_client = start_up("up-other", tmp_path, "--database-url", database_url)
    try:
        for command in (["publish", str(README_EXAMPLE)], ["rebuild"], ["verify"]):
            refused = run_cli(*command)
            assert refused.returncode != 0, refused.stdout
            error = _one_error_line(refused.stderr)
            assert "2 `vendorwatch up` are running" in error
            assert f"--data-dir {data_dir}" in error
            assert "--database-url postgresql://" in error
            assert "choose one with --data-dir or --database-url" in error
        # Naming one is enough, whether by its data dir or by its URL.
        chosen = run_cli("publish", str(README_EXAMPLE), "--data-dir", str(data_dir))
        assert chosen.returncode == 0, chosen.stderr
        other_chosen = run_cli("verify", "--database-url", database_url)
        assert other_chosen.returncode == 0, other_chosen.stderr
        assert other_chosen.stdout.startswith("intact: 0 events")
    finally:
        other_client.close()
        other.stop()


def test_with_none_running_the_commands_refuse_rather_than_create_one(
    own_user_dirs: Path, tmp_path: Path
) -> None:
    # verify says first that it could not check (and exits 3, not 1: nothing was found broken).
    for command, said in (
        (["publish", str(README_EXAMPLE)], ""),
        (["rebuild", "risk"], ""),
        (["verify"], "the event log could not be verified: "),
    ):
        refused = run_cli(*command)
        assert refused.returncode != 0, refused.stdout
        assert _one_error_line(refused.stderr) == (
            f"Error: {said}no running `vendorwatch up` found; start one, or choose the database "
            "with --data-dir DIR or --database-url URL"
        )
    mistyped = tmp_path / "no-such-data"
    refused = run_cli("publish", str(README_EXAMPLE), "--data-dir", str(mistyped))
    assert refused.returncode != 0
    assert f"no VendorWatch database in {mistyped}" in _one_error_line(refused.stderr)
    assert not mistyped.exists()
    assert not (own_user_dirs / "user-data" / "vendorwatch").exists()


def _postmaster(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


def _ready(client: GraphQLClient) -> bool:
    try:
        return client.get("/readyz").status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("stopped_by", ["kill -9", "pg_ctl stop -m fast"])
def test_its_postgresql_stopped_is_started_again(
    stopped_by: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator's finding: `up` waited for good on the embedded PostgreSQL it had started,
    once that one was killed or stopped (/healthz 200 `degraded`, so no supervisor restarted
    it), its log saying FileNotFoundError of a socket. It starts it again on the same data
    dir, in seconds, and stops it as before."""
    monkeypatch.delenv("DATABASE_URL", raising=False)  # the tests' admin token signs in
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    try:
        killed = _postmaster(data_dir)
        if stopped_by == "kill -9":
            psutil.Process(killed).kill()
            why = f"its postmaster (pid {killed}) is gone"
        else:
            pg_ctl_stop(data_dir, "fast")
            why = "its postmaster.pid is gone"
        started = time.monotonic()
        back = "the embedded PostgreSQL is running again"
        wait_until(lambda: back in up.log_tail(400), "it started again", 45)
        wait_until(lambda: _ready(client), "/readyz 200 again", 15)
        wait_until(lambda: "errors" not in client.execute(VENDOR, id="none"), "a query", 15)
        assert time.monotonic() - started < 45
        assert _postmaster(data_dir) != killed
        logged = up.log_tail(400)
        restarting = f"the embedded PostgreSQL stopped ({why})"
        assert logged.count(f"{restarting}; starting it again") == 1, logged
        assert logged.count(back) == 1, logged
        # The loops waiting meanwhile say why, not a socket's FileNotFoundError: that it is
        # being restarted, or, stopped by pg_ctl, PostgreSQL's own words while it shuts down
        # (each loop says the first reason of its wait; on a busy machine every loop met the
        # shutdown first, in CI once).
        waiting = "waiting for PostgreSQL or Kafka; retrying with backoff: "
        why_said = [f"{waiting}{restarting} and is being restarted"]
        if stopped_by != "kill -9":
            why_said.append(f"{waiting}CannotConnectNowError: the database system is shutting down")
        assert any(said in logged for said in why_said), logged
        assert "FileNotFoundError" not in logged and '"level": "ERROR"' not in logged, logged
    finally:
        client.close()
        code = up.stop()
    assert code == 0, up.log_tail()
    assert processes_using(data_dir) == []
    assert not (data_dir / "postmaster.pid").exists()


def test_its_postgresql_that_cannot_start_again_ends_it(
    own_user_dirs: Path, tmp_path: Path
) -> None:
    """Its data dir no longer one (removed, or broken): `up` exits non-zero with one line
    saying why, for a supervisor to restart it, rather than waiting for good."""
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    client.close()
    (data_dir / "PG_VERSION").unlink()
    psutil.Process(_postmaster(data_dir)).kill()
    try:
        # Not a timing check: how long it waits before it ends is the stop's (its answers'
        # and pools' limits), slower on a loaded machine; it must end, saying why.
        code = up.process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        up.kill()
        pytest.fail(f"`up` still running 90 s after its PostgreSQL was lost:\n{up.log_tail(400)}")
    finally:
        up.stop()
    logged = up.log_tail(400)
    assert code == 1, logged
    (error,) = [line for line in logged.splitlines() if line.startswith("Error:")]
    assert error == (
        f"Error: the embedded PostgreSQL stopped and cannot be started again: {data_dir}"
        " holds no PostgreSQL data directory (PG_VERSION is missing)"
    ), logged
    assert left_behind(processes_using(data_dir)) == []


def test_its_postgresql_stopped_with_it_is_not_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A supervisor stopping the whole group (systemd's default) stops the PostgreSQL as well
    as `up`, which then waits for the answers under way: it must not start the PostgreSQL
    again meanwhile, only to stop it, nor leave it running."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    data_dir = (tmp_path / "data").resolve()
    up, client = start_up("up", tmp_path, "--data-dir", str(data_dir))
    client.close()
    with stalled_download(client):
        up.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        pg_ctl_stop(data_dir, "fast")
        assert up.process.wait(timeout=GRACEFUL_STOP_SECONDS + 15) == 0, up.log_tail()
    logged = up.log_tail(400)
    assert "starting it again" not in logged, logged
    assert left_behind(processes_using(data_dir)) == []
