"""Kafka's own console producer (`kafka-console-producer`, from kafka-tools), as a producer
team would send records by hand, run from the test broker's Maven classpath."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from tests.support.kafka_broker import java_command
from tests.support.kafka_classpath import DEFAULT_CACHE_DIR, _require_tool, resolve_kafka_classpath


def console_produce(
    bootstrap: str, topic: str, lines: Sequence[str], key_separator: str | None = None
) -> None:
    """Sends one record per line, keyed by what comes before `key_separator` when given,
    else without a key. Raises with the tool's output if it fails."""
    java = _require_tool("java", "run kafka-console-producer")
    jars_dir = resolve_kafka_classpath(DEFAULT_CACHE_DIR)
    main = "org.apache.kafka.tools.ConsoleProducer"
    command = [
        *java_command(java, jars_dir, "256m", main),
        "--bootstrap-server",
        bootstrap,
        "--topic",
        topic,
    ]
    if key_separator is not None:
        command += ["--property", "parse.key=true", "--property", f"key.separator={key_separator}"]
    done = subprocess.run(
        command,
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"kafka-console-producer failed:\n{done.stdout}\n{done.stderr}")
