"""An agency's webhook endpoint for the alert tests: the standard library's HTTP server in a
thread, on a free local port."""

from __future__ import annotations

import http.server
import socket
import threading
from typing import Any

from services.alerts.signing import ALERT_ID_HEADER


class Receiver:
    """An agency's webhook endpoint: records what it was sent, answers 204."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.paths: list[str] = []  # each request's path and query
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/alerts"

    def start(self) -> None:
        received, paths = self.received, self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                paths.append(self.path)
                received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def alert_ids(self) -> list[str]:
        return [headers[ALERT_ID_HEADER] for headers, _ in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
