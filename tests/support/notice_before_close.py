"""A forwarder from a loopback TCP port to a PostgreSQL's unix socket that hands its clients a
fast stop's termination notice (57P01) with the connection left open, as a client sees it
when the notice is read before the close: the test's way of making that happen every time,
where it happened only when the notice and the close came in two reads of the socket.

`hold()` keeps PostgreSQL's answers back from then on: a client's statement under way waits
for its answer (`held_status`: whether it leaves a transaction). `let_through()` hands over
what was held. Once PostgreSQL is stopped, `hand_over_stopped()` hands every client, in one
write, the answer it waits for and the notice after it, and keeps the close back until the
client writes again; new connections are refused from then on, as where PostgreSQL no longer
listens."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit, urlunsplit

_CHUNK = 65536
# PostgreSQL's ReadyForQuery message: "Z", its length (5), the transaction status.
_READY = b"Z\x00\x00\x00\x05"
_READY_LENGTH = len(_READY) + 1


@dataclass
class _Forwarded:
    client: socket.socket
    server: socket.socket
    held: bytearray = field(default_factory=bytearray)
    server_closed: threading.Event = field(default_factory=threading.Event)


class NoticeBeforeClose:
    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        [directory] = parse_qs(parts.query)["host"]
        self._socket_path = f"{directory}/.s.PGSQL.{parts.port or 5432}"
        self._listener = socket.create_server(("127.0.0.1", 0))
        port = self._listener.getsockname()[1]
        # The same database and role, reached through the forwarder.
        self.url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{port}", query=""))
        self._forwarded: list[_Forwarded] = []
        self._holding = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def hold(self) -> None:
        """PostgreSQL's answers kept back from now on."""
        with self._lock:
            self._holding = True

    def held_status(self) -> str | None:
        """When what is kept back ends an answer (ReadyForQuery), the transaction status it
        gives: "I" out of a transaction (a commit's answer), "T" within one, "E" within a
        failed one; None otherwise."""
        with self._lock:
            for forwarded in self._forwarded:
                tail = bytes(forwarded.held[-_READY_LENGTH:])
                if len(tail) == _READY_LENGTH and tail.startswith(_READY):
                    return tail[-1:].decode()
        return None

    def let_through(self) -> None:
        """What was kept back handed over, and the answers forwarded again as they come."""
        with self._lock:
            self._holding = False
            for forwarded in self._forwarded:
                self._hand_over(forwarded)

    def hand_over_stopped(self, seconds: float = 30.0) -> None:
        """PostgreSQL stopped: every client handed what was kept back and the termination
        notice after it, in one write, its connection left open; new ones refused."""
        self._listener.close()
        with self._lock:
            forwarded = list(self._forwarded)
        deadline = time.monotonic() + seconds
        for each in forwarded:  # each backend's notice read, and its close
            assert each.server_closed.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            for each in forwarded:
                self._hand_over(each)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for forwarded in self._forwarded:
                for sock in (forwarded.client, forwarded.server):
                    with contextlib.suppress(OSError):
                        sock.close()

    def _hand_over(self, forwarded: _Forwarded) -> None:
        with contextlib.suppress(OSError):
            forwarded.client.sendall(bytes(forwarded.held))
        forwarded.held.clear()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                server.connect(self._socket_path)
            except OSError:
                server.close()
                client.close()
                continue
            forwarded = _Forwarded(client, server)
            with self._lock:
                self._forwarded.append(forwarded)
            threading.Thread(target=self._requests, args=(forwarded,), daemon=True).start()
            threading.Thread(target=self._answers, args=(forwarded,), daemon=True).start()

    def _requests(self, forwarded: _Forwarded) -> None:
        """The client's bytes to PostgreSQL; once PostgreSQL is gone, the client's next
        write closes its connection, as PostgreSQL's close would have been read then."""
        with contextlib.suppress(OSError):
            while data := forwarded.client.recv(_CHUNK):
                forwarded.server.sendall(data)
        for sock in (forwarded.client, forwarded.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _answers(self, forwarded: _Forwarded) -> None:
        """PostgreSQL's bytes to the client, or kept back; its close passed on only when
        nothing is held (a client's own `close`), else kept back too."""
        with contextlib.suppress(OSError):
            while data := forwarded.server.recv(_CHUNK):
                with self._lock:
                    if self._holding:
                        forwarded.held += data
                        continue
                forwarded.client.sendall(data)
        forwarded.server_closed.set()
        with self._lock:
            if self._holding:
                return
        with contextlib.suppress(OSError):
            forwarded.client.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def notice_before_close(database_url: str) -> Iterator[NoticeBeforeClose]:
    """A NoticeBeforeClose in front of the PostgreSQL of `database_url` for the block."""
    forwarder = NoticeBeforeClose(database_url)
    try:
        yield forwarder
    finally:
        forwarder.close()
