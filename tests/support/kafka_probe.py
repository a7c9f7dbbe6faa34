"""Whether a Kafka broker is ready, asked over its own wire protocol (no client library):
a Metadata request that lists a live broker, after a SASL/PLAIN login when it wants one."""

from __future__ import annotations

import socket
import struct


def broker_ready(port: int, login: tuple[str, str] | None = None) -> bool:
    """True once the broker answers a Metadata request listing itself as a live broker.

    An open port alone is not enough: KRaft binds the listener before it serves requests, and a
    fenced broker is left out of metadata, so creating a topic that early fails with "only 0
    broker(s) are registered". Metadata v7 (the 2.1 baseline Kafka 4 keeps) is not "flexible", so
    it fits in a few lines of struct; so do SaslHandshake v1 and SaslAuthenticate v1, which a
    SASL broker wants first.
    """
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2.0) as sock:
            if login is not None and not _plain_login(sock, *login):
                return False
            # Body v7: topics = empty array (no topics), allow_auto_topic_creation = false.
            response = _exchange(sock, 3, 7, 3, struct.pack(">ib", 0, 0))
            # Response: throttle_time_ms, brokers array length, ...
            if len(response) < 8:
                return False
            _throttle_ms, broker_count = struct.unpack(">ii", response[:8])
            return int(broker_count) >= 1
    except OSError:
        return False


def _plain_login(sock: socket.socket, user: str, password: str) -> bool:
    mechanism = b"PLAIN"
    handshake = _exchange(sock, 17, 1, 1, struct.pack(">h", len(mechanism)) + mechanism)
    if handshake[:2] != b"\0\0":  # error_code
        return False
    token = b"\0" + user.encode() + b"\0" + password.encode()
    authenticated = _exchange(sock, 36, 1, 2, struct.pack(">i", len(token)) + token)
    return authenticated[:2] == b"\0\0"


def _exchange(
    sock: socket.socket, api_key: int, api_version: int, correlation_id: int, body: bytes
) -> bytes:
    """Sends one request (header v1) and returns its response body (after header v0)."""
    client_id = b"vendorwatch-readiness"
    header = struct.pack(">hhih", api_key, api_version, correlation_id, len(client_id))
    request = header + client_id + body
    sock.sendall(struct.pack(">i", len(request)) + request)
    size: int = struct.unpack(">i", _recv_exactly(sock, 4))[0]
    response = _recv_exactly(sock, size)
    if struct.unpack(">i", response[:4])[0] != correlation_id:
        raise ConnectionError("the broker answered another request")
    return response[4:]


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        data += chunk
    return data
