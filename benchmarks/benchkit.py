"""What the whole-system benchmarks share: the system as `make run` starts it, tokens, tables."""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiokafka.structs import ConsumerRecord

from velo_contracts import Event, tokens
from velo_devinfra.run import System
from velo_devinfra.stack import free_port
from velo_runtime.kafka import envelope_headers

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from velotest import free_offset

TENANT = "acme"


@dataclass(frozen=True)
class Row:
    """One line of a report: what was measured, its target, the figure and the verdict."""

    what: str
    target: str
    figure: str
    verdict: str


def verdict(ok: bool) -> str:
    """Returns PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def table(rows: list[Row]) -> str:
    """Returns the report as aligned columns."""
    head = Row("what", "target", "figure", "verdict")
    widths = [max(len(getattr(r, f)) for r in [head, *rows]) for f in ("what", "target", "figure")]
    lines = []
    for r in [head, *rows]:
        cells = [r.what.ljust(widths[0]), r.target.ljust(widths[1]), r.figure.ljust(widths[2])]
        lines.append("  ".join([*cells, r.verdict]))
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def load_row(at_start: float) -> Row:
    """Returns the row telling how busy the host was (the figures depend on it)."""
    figure = f"{at_start:.1f} at start, {os.getloadavg()[0]:.1f} at end ({os.cpu_count()} CPUs)"
    return Row("host load (1-min average)", "-", figure, "info")


def percentile(values: list[float], share: float) -> float:
    """Returns the value below which `share` of values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    """Returns the median."""
    return statistics.median(values)


def token_of(system: System, tenant: str = TENANT, role: str = "admin") -> str:
    """Mints a JWT of a tenant's user with the system's gateway secret (as `velo dev token`)."""
    secret = system.secrets["VELO_GATEWAY_JWT_SECRET"]
    return tokens.mint(secret, tenant, f"bench@{tenant}", role, hours=1)


def url_of(system: System, name: str) -> str:
    """Returns the base URL of one component (the first instance of a service)."""
    port = next(c.port for c in system.components if c.name == name)
    return f"http://127.0.0.1:{port}"


@contextmanager
def running_system(data: Path, env: Mapping[str, str] | None = None) -> Iterator[System]:
    """Starts the whole system as `make run` does (every part its own process), stops it after."""
    system = System(data, free_port(), free_port(), free_offset(), env=env)
    try:
        system.start()
        yield system
    finally:
        system.stop()


def record_of(event: Event, topic: str, offset: int) -> ConsumerRecord[bytes, bytes]:
    """Returns the Kafka record the event travels in, with the envelope headers."""
    value, key = event.model_dump_json().encode(), event.partition_key().encode()
    headers = [(name, text.encode()) for name, text in envelope_headers(event).items()]
    stamp = int(event.occurred_at.timestamp() * 1000)
    return ConsumerRecord(
        topic, 0, offset, stamp, 0, key, value, None, len(key), len(value), headers
    )
