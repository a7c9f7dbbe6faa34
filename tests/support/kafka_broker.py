"""A real single-node Apache Kafka broker (KRaft) for tests: start it, probe it, stop it.

:func:`start_kafka_broker` gets the broker's jars from
:func:`tests.support.kafka_classpath.resolve_kafka_classpath`, formats a fresh log directory on
free loopback ports and runs ``kafka.Kafka`` with ``java``, waiting until the broker answers a
Metadata request listing itself.

Typical use::

    with kafka_bootstrap_servers() as bootstrap:          # KAFKA_BOOTSTRAP_SERVERS or a new broker
        ...

    with start_kafka_broker(DEFAULT_CACHE_DIR) as broker:  # always a new broker
        broker.bootstrap_servers                            # "127.0.0.1:PORT"

(``DEFAULT_CACHE_DIR`` comes from :mod:`tests.support.kafka_classpath`.)

``start_kafka_broker(..., sasl=SaslPlain({...}))`` starts one that enforces who may do what:
SASL/PLAIN on every listener and the StandardAuthorizer; :func:`apply_acls` runs kafka-acls
(``AclCommand``) against it as the super user. With ``SaslPlain(..., keystore=...)`` it also
listens for SASL_SSL logins, at ``tls_bootstrap_servers`` (``kafka_tls.py`` makes the keystore).

The broker does NOT auto-create topics (``auto.create.topics.enable=false``), so tests prove that
the application creates the topics it needs. New topics default to 3 partitions, replication 1.

This module has no pytest dependency; fixtures wrap it.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from tests.support.kafka_classpath import (
    _LOG_TAIL_LINES,
    BOOTSTRAP_ENV_VAR,
    DEFAULT_CACHE_DIR,
    KAFKA_DEPLOY_DIR,
    _require_tool,
    _tail,
    resolve_kafka_classpath,
    run_captured,
)
from tests.support.kafka_probe import broker_ready
from tests.support.kafka_sasl import SaslPlain, sasl_properties

__all__ = [
    "BOOTSTRAP_ENV_VAR",
    "LOG4J_CONFIG",
    "KafkaBroker",
    "SaslPlain",
    "apply_acls",
    "broker_properties",
    "kafka_bootstrap_servers",
    "start_kafka_broker",
]

LOG4J_CONFIG = KAFKA_DEPLOY_DIR / "log4j2.properties"

BROKER_HEAP = "768m"
STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0
_NODE_ID = 1
_MAX_START_ATTEMPTS = 3  # only retried when a picked port was taken before the broker bound it


def _free_loopback_ports(count: int) -> list[int]:
    """Ports the OS considers free right now (all held open together, so they differ)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _random_cluster_id() -> str:
    """A Kafka cluster id, as `kafka-storage.sh random-uuid` makes it (saves a JVM start)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not text.startswith("-"):  # Kafka avoids ids that look like a command-line option
            return text


def broker_properties(
    port: int,
    controller_port: int,
    log_dir: Path,
    sasl: SaslPlain | None = None,
    tls_port: int | None = None,
) -> dict[str, str]:
    """The server.properties of the single-node test broker (KRaft, broker + controller)."""
    properties = {
        "process.roles": "broker,controller",
        "node.id": str(_NODE_ID),
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(log_dir),
        # Topics: the application must create its own; defaults for the ones it creates.
        "auto.create.topics.enable": "false",
        "num.partitions": "3",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # Internal topics on a single node.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "10",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # Small on disk and in memory: tests write little, and the data dies with the broker.
        "log.segment.bytes": str(1024 * 1024),
        "log.index.size.max.bytes": str(1024 * 1024),
        "log.retention.ms": str(60 * 60 * 1000),
        "log.retention.bytes": str(256 * 1024 * 1024),
        "log.retention.check.interval.ms": str(60 * 1000),
        "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
        "num.recovery.threads.per.data.dir": "1",
    }
    if sasl is not None:
        properties.update(sasl_properties(sasl, port, controller_port, tls_port))
    return properties


def _write_properties(path: Path, properties: Mapping[str, str]) -> None:
    lines = [f"{key}={value}" for key, value in properties.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# Every JVM of the tests, the broker included: compiling well (C2) and collecting garbage
# concurrently (G1) cost more CPU than they save. A command-line tool runs for a second; the
# broker serves the tests' small batches for minutes. The broker with these flags against the
# JVM's defaults, measured side by side: ready after 5 s of CPU against 10 s, idle 1.3 s of
# CPU per 30 s against 2.7 s, and over the same distributed end-to-end tests (7 tests, 72-75 s
# wall either way) 10.2 s of CPU against 18.1 s.
JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def java_command(java: str, jars_dir: Path, heap: str, main_class: str) -> list[str]:
    return [
        java,
        *JVM_FLAGS,
        f"-Xmx{heap}",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        "-cp",
        f"{jars_dir}{os.sep}*",
        main_class,
    ]


class KafkaBroker:
    """A running broker process; stop it with :meth:`stop` or use it as a context manager."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        port: int,
        work_dir: Path,
        sasl: SaslPlain | None = None,
        command: Sequence[str] = (),
        tls_port: int | None = None,
    ) -> None:
        self.process = process
        self.command = list(command)  # how it was started: `restart` runs it again
        self.port = port
        self.tls_port = tls_port  # its SASL_SSL listener's, when it has one
        self.sasl = sasl
        self.work_dir = work_dir
        self.log_path = work_dir / "broker.log"
        self._stopped = False

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def tls_bootstrap_servers(self) -> str:
        assert self.tls_port is not None, "a broker started with SaslPlain(keystore=...)"
        return f"127.0.0.1:{self.tls_port}"

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return _tail(text, lines)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """SIGTERM (Kafka shuts down cleanly), wait, then SIGKILL; remove the broker's files."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=timeout)
        finally:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would end it; its files stay for `restart`."""
        self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT_S)

    def restart(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Starts the broker again on its ports and log directory (its topics, offsets and
        messages as they were) and waits until it serves."""
        with (self.work_dir / "broker.log").open("ab") as log_file:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.work_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        _wait_until_ready(self, timeout)

    def __enter__(self) -> KafkaBroker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"KafkaBroker(bootstrap_servers={self.bootstrap_servers!r}, pid={self.process.pid})"


class _PortTaken(RuntimeError):
    pass


def start_kafka_broker(
    cache_dir: Path,
    *,
    heap: str = BROKER_HEAP,
    startup_timeout: float = STARTUP_TIMEOUT_S,
    extra_properties: Mapping[str, str] | None = None,
    sasl: SaslPlain | None = None,
) -> KafkaBroker:
    """Start a fresh single-node KRaft broker on free loopback ports and wait until it serves.

    Resolves the jars first (see :func:`resolve_kafka_classpath`). Raises RuntimeError naming the
    missing tool when ``java`` or ``mvn`` is absent, and with the broker's log tail when the broker
    exits or does not become ready within ``startup_timeout`` seconds.
    """
    java = _require_tool("java", "run the Apache Kafka broker")
    jars_dir = resolve_kafka_classpath(cache_dir)
    for attempt in range(1, _MAX_START_ATTEMPTS + 1):
        try:
            return _start_once(java, jars_dir, heap, startup_timeout, extra_properties, sasl)
        except _PortTaken:
            if attempt == _MAX_START_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _start_once(
    java: str,
    jars_dir: Path,
    heap: str,
    startup_timeout: float,
    extra_properties: Mapping[str, str] | None,
    sasl: SaslPlain | None,
) -> KafkaBroker:
    work_dir = Path(tempfile.mkdtemp(prefix="vendorwatch-kafka-"))
    try:
        port, controller_port, *tls = _free_loopback_ports(3 if sasl and sasl.keystore else 2)
        tls_port = tls[0] if tls else None
        properties = broker_properties(port, controller_port, work_dir / "data", sasl, tls_port)
        properties.update(extra_properties or {})
        config = work_dir / "server.properties"
        _write_properties(config, properties)

        format_command = [
            *java_command(java, jars_dir, "256m", "kafka.tools.StorageTool"),
            "format",
            "--standalone",
            "--cluster-id",
            _random_cluster_id(),
            "--config",
            str(config),
        ]
        formatted = run_captured(format_command, work_dir, startup_timeout)
        if formatted.returncode != 0:
            raise RuntimeError(
                f"Formatting Kafka storage failed (exit {formatted.returncode}): "
                f"{' '.join(format_command)}\n{_tail(formatted.stdout)}"
            )

        command = [*java_command(java, jars_dir, heap, "kafka.Kafka"), str(config)]
        log_file = (work_dir / "broker.log").open("wb")
        try:
            process = subprocess.Popen(
                command,
                cwd=work_dir,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        finally:
            log_file.close()  # the child holds its own descriptor
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise

    broker = KafkaBroker(process, port, work_dir, sasl, command, tls_port)
    atexit.register(broker.stop)  # never leave a JVM behind if the caller forgets
    try:
        _wait_until_ready(broker, startup_timeout)
    except BaseException:
        log = broker.log_tail()
        broker.stop()
        if "Address already in use" in log:
            raise _PortTaken(f"port {port} or {controller_port} was taken:\n{log}") from None
        raise
    return broker


def _wait_until_ready(broker: KafkaBroker, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        code = broker.process.poll()
        if code is not None:
            raise RuntimeError(
                f"The Kafka broker exited with code {code} before it was ready. "
                f"Log tail ({broker.log_path}):\n{broker.log_tail()}"
            )
        login = (
            (broker.sasl.super_user, broker.sasl.users[broker.sasl.super_user])
            if broker.sasl
            else None
        )
        if broker_ready(broker.port, login):
            return
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"The Kafka broker did not serve on {broker.bootstrap_servers} within "
                f"{timeout:.0f} s. Log tail:\n{broker.log_tail()}"
            )
        # Poll interval, not a wait for readiness: each round re-checks the process and port.
        time.sleep(0.1)


# Runs kafka-acls once per argument list in one JVM (a JVM start costs more CPU than the tool).
ACL_BATCH_SOURCE = Path(__file__).with_name("AclBatch.java")


def apply_acls(
    broker: KafkaBroker,
    acls: Sequence[Sequence[str]],
    cache_dir: Path = DEFAULT_CACHE_DIR,
    timeout: float = STARTUP_TIMEOUT_S,
) -> None:
    """Runs `kafka-acls --add` once per argument list, as the super user, one after the other
    in one JVM (`AclBatch.java`). Raises RuntimeError with kafka-acls' output when one fails
    (the ones after it are not run)."""
    if broker.sasl is None:
        raise ValueError("ACLs need a broker started with sasl=SaslPlain(...)")
    java = _require_tool("java", "run kafka-acls")
    jars_dir = resolve_kafka_classpath(cache_dir)
    admin = broker.sasl.super_user
    config = broker.work_dir / "admin.properties"
    _write_properties(
        config,
        {
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "PLAIN",
            "sasl.jaas.config": broker.sasl.jaas(admin),
        },
    )
    lines = broker.work_dir / "acls.tsv"
    lines.write_text("".join("\t".join(arguments) + "\n" for arguments in acls), encoding="utf-8")
    command = [
        *java_command(java, jars_dir, "256m", str(ACL_BATCH_SOURCE)),
        str(lines),
        "--bootstrap-server",
        broker.bootstrap_servers,
        "--command-config",
        str(config),
        "--add",
    ]
    done = run_captured(command, broker.work_dir, timeout)
    if done.returncode != 0:
        raise RuntimeError(f"kafka-acls failed (exit {done.returncode}):\n{_tail(done.stdout)}")


@contextlib.contextmanager
def kafka_bootstrap_servers(
    cache_dir: Path = DEFAULT_CACHE_DIR,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Yield ``KAFKA_BOOTSTRAP_SERVERS`` when set, else start a broker and stop it afterwards.

    Meant for a session-scoped fixture::

        @pytest.fixture(scope="session")
        def kafka_bootstrap() -> Iterator[str]:
            with kafka_bootstrap_servers() as servers:
                yield servers
    """
    environ = os.environ if env is None else env
    given = environ.get(BOOTSTRAP_ENV_VAR, "").strip()
    if given:
        yield given
        return
    with start_kafka_broker(cache_dir) as broker:
        yield broker.bootstrap_servers
