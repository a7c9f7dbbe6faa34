"""A TCP forwarder on a loopback port of its own that lets a number of connections through to
its target, then drops every new one as it arrives (accepted and closed at once, as a server
going away does to its clients) until it is opened. The test's way of taking a dependency
away at a moment it chooses by count, with the dependency itself left running."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

_CHUNK = 65536


class TcpGate:
    def __init__(self, target: tuple[str, int], passes: int) -> None:
        self._target = target
        self._passes = passes
        self._open = False
        self.passed = 0  # connections let through
        self.dropped = 0  # connections closed as they arrived
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = [self._listener]
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._listener.getsockname()[1]}"

    def open(self) -> None:
        """Every connection from now on goes through."""
        self._open = True

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            if not self._open and self.passed >= self._passes:
                self.dropped += 1
                client.close()
                continue
            self.passed += 1
            try:
                server = socket.create_connection(self._target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(_CHUNK):
            sink.sendall(data)
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def tcp_gate(target: str, passes: int) -> Iterator[TcpGate]:
    """A TcpGate to `target` ("host:port") for the block."""
    host, port = target.rsplit(":", 1)
    gate = TcpGate((host, int(port)), passes)
    try:
        yield gate
    finally:
        gate.close()
