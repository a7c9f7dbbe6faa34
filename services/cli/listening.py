"""A port taken, said in one line before a process starts serving on it: the API's and
`up`'s uvicorn and a worker's health server (faust's) each failed with a bind traceback.
Apart from `serving.py` so that a worker checks its port without importing uvicorn."""

from __future__ import annotations

import errno
import socket

from services.platform.errors import StartupError


def ensure_port_free(host: str, port: int, option: str = "--port") -> None:
    """Fails with one clear line naming `option`, the one that chooses another port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} on {host} is already in use; choose another with {option}"
                ) from error
            raise StartupError(f"cannot listen on {host}:{port}: {error.strerror}") from error
