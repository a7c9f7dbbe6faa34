"""Resolving the jars of the test Kafka broker with Maven (a classpath folder, cached).

The broker's jars are declared in ``deploy/kafka/pom.xml``; :func:`resolve_kafka_classpath` copies
them with Maven into a cache folder once (again only when the pom changes). The convention for the
cache folder is ``<repo>/.cache/kafka`` (:data:`DEFAULT_CACHE_DIR`). Starting a broker on that
classpath is :mod:`tests.support.kafka_broker`'s job.

This module has no pytest dependency.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "BOOTSTRAP_ENV_VAR",
    "DEFAULT_CACHE_DIR",
    "KAFKA_DEPLOY_DIR",
    "KAFKA_POM",
    "MAVEN_TIMEOUT_S",
    "REPO_ROOT",
    "resolve_kafka_classpath",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
KAFKA_POM = KAFKA_DEPLOY_DIR / "pom.xml"
DEFAULT_CACHE_DIR = REPO_ROOT / ".cache" / "kafka"
BOOTSTRAP_ENV_VAR = "KAFKA_BOOTSTRAP_SERVERS"  # named in the missing-tool error message

MAVEN_TIMEOUT_S = 900.0
_LOG_TAIL_LINES = 60


def _require_tool(name: str, purpose: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"`{name}` was not found on PATH; it is needed to {purpose}. "
            f"Install it (e.g. apt-get install {'maven' if name == 'mvn' else 'openjdk-17-jre'}), "
            f"or point {BOOTSTRAP_ENV_VAR} at a running Kafka broker."
        )
    return path


def _tail(text: str, lines: int = _LOG_TAIL_LINES) -> str:
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)  # Maven colours some output even with -B
    return "\n".join(plain.splitlines()[-lines:])


def run_captured(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Runs a tool to completion with its output (stdout and stderr together) captured."""
    return subprocess.run(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )


def resolve_kafka_classpath(cache_dir: Path) -> Path:
    """Return a folder holding every jar of the broker (``cache_dir/jars``).

    The jars are copied by ``mvn dependency:copy-dependencies`` from ``deploy/kafka/pom.xml``; a
    marker file records the pom's SHA-256, so later calls reuse the folder and a changed pom
    resolves again. Safe to call from several processes at once (a file lock serialises them).
    """
    cache_dir = cache_dir.resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    jars_dir = cache_dir / "jars"
    marker = cache_dir / "jars.pom-sha256"
    pom_hash = hashlib.sha256(KAFKA_POM.read_bytes()).hexdigest()

    with (cache_dir / ".resolve.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (
            marker.is_file()
            and marker.read_text(encoding="utf-8").strip() == pom_hash
            and any(jars_dir.glob("*.jar"))
        ):
            return jars_dir

        mvn = _require_tool("mvn", "download Apache Kafka's jars from Maven Central")
        staging = Path(tempfile.mkdtemp(prefix="jars-", dir=cache_dir))
        try:
            command = [
                mvn,
                "-B",
                "-q",
                "-Dstyle.color=never",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging}",
            ]
            try:
                result = run_captured(command, REPO_ROOT, MAVEN_TIMEOUT_S)
            except subprocess.TimeoutExpired as exc:
                output = exc.output if isinstance(exc.output, str) else ""
                raise RuntimeError(
                    f"mvn did not finish resolving Kafka within {MAVEN_TIMEOUT_S:.0f} s "
                    f"({' '.join(command)}). Output tail:\n{_tail(output)}"
                ) from exc
            if result.returncode != 0:
                raise RuntimeError(
                    f"mvn failed (exit {result.returncode}) resolving Kafka from {KAFKA_POM} "
                    f"({' '.join(command)}). Output tail:\n{_tail(result.stdout)}"
                )
            if not any(staging.glob("*.jar")):
                raise RuntimeError(
                    f"mvn succeeded but copied no jars into {staging}. Output tail:\n"
                    f"{_tail(result.stdout)}"
                )
            marker.unlink(missing_ok=True)
            if jars_dir.exists():
                shutil.rmtree(jars_dir)
            staging.rename(jars_dir)
            marker.write_text(pom_hash + "\n", encoding="utf-8")
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return jars_dir
