"""How much chaos: operations, kills, faults, and the time bounds of a run."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Plan:
    """What one chaos run does, and how long it may take."""

    operations: int = 240
    kills: int = 60
    seed: int = 1
    clients: int = 6
    kill_every: float = 3.0
    """Seconds between two kills; the drive phase lasts about kills * kill_every."""
    gateway_share: float = 0.05
    """Of the kills, how many hit the gateway (the one door every client uses)."""
    restart_kafka: bool = True
    restart_mongo: bool = True
    portsip_outage: float = 60.0
    fault_seconds: float = 15.0
    """How long each shorter fault episode (5xx, 429 bursts, timeouts) lasts."""
    duration: float = 1200.0
    """Bound on the drive phase: no new operation or kill after it."""
    converge: float = 600.0
    """Bound on waiting, after the drive, for the system to settle."""

    @property
    def drive_seconds(self) -> float:
        """How long the drive phase is meant to last (kills set the pace)."""
        return min(max(self.kills * self.kill_every, 60.0), self.duration)

    @property
    def pace(self) -> float:
        """Seconds each client waits between two operations, to spread them over the drive."""
        return self.drive_seconds * self.clients / max(self.operations, 1)


FULL = Plan()
"""`make chaos`."""
SMALL = Plan(
    operations=30,
    kills=5,
    clients=4,
    kill_every=8.0,
    gateway_share=0.0,
    restart_mongo=False,
    portsip_outage=8.0,
    fault_seconds=4.0,
    duration=240.0,
    converge=240.0,
)
"""The version `make test` runs: fewer operations, a few kills, one broker restart."""


def scaled(plan: Plan, **changes: object) -> Plan:
    """Returns plan with some fields changed (command-line options)."""
    return replace(plan, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]
