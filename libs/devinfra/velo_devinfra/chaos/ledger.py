"""What the run did: every operation with the gateway's answer, and every incident it caused."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Operation:
    """One write a client sent through the gateway, and the answer it finally got."""

    seq: int
    client: str
    tenant: str
    user: str
    kind: str
    number: str | None = None
    status: int | None = None
    """The last HTTP status (None: no answer at all, after retries)."""
    mistake: bool = False
    """An ordinary mistake: it must be refused at once (4xx)."""
    command_ids: list[str] = field(default_factory=list)
    request_id: str | None = None
    detail: str = ""
    attempts: int = 0

    @property
    def accepted(self) -> bool:
        """Tells whether the gateway answered 202 (a command is on its way)."""
        return self.status == 202


@dataclass(frozen=True)
class Accepted:
    """One accepted command the run must find an outcome for."""

    seq: int
    kind: str
    """request, assignment or release."""
    tenant: str
    user: str
    id: str
    """The request id, or the command id."""
    number: str | None
    must_refuse: bool = False
    """A mistake the gateway let through (it could not check): it must end refused."""


@dataclass(frozen=True)
class Incident:
    """Something the run did to the system (a kill, a restart, a fault)."""

    at: float
    what: str
    detail: str


@dataclass
class Ledger:
    """Everything the run did, in order."""

    operations: list[Operation] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def begin(self, client: str, tenant: str, user: str, kind: str) -> Operation:
        """Records a new operation and returns it to be filled in."""
        op = Operation(len(self.operations) + 1, client, tenant, user, kind)
        self.operations.append(op)
        return op

    def note(self, what: str, detail: str) -> None:
        """Records an incident, stamped with the seconds since the run began."""
        self.incidents.append(Incident(time.monotonic() - self.started, what, detail))
        print(f"chaos [{time.monotonic() - self.started:7.1f}s] {what}: {detail}", flush=True)

    def count(self, what: str) -> int:
        """How many incidents of a kind happened."""
        return sum(1 for i in self.incidents if i.what == what)

    def accepted(self) -> list[Accepted]:
        """Every command the gateway accepted (202), one entry per command id."""
        found = []
        for op in self.operations:
            if not op.accepted:
                continue
            who = (op.seq, op.tenant, op.user)
            if op.request_id:
                found.append(Accepted(who[0], "request", *who[1:], op.request_id, None, op.mistake))
            kind = "release" if "release" in op.kind else "assignment"
            found += [
                Accepted(who[0], kind, *who[1:], c, op.number, op.mistake) for c in op.command_ids
            ]
        return found

    def save(self, path: Path) -> None:
        """Writes every operation and incident as JSON (evidence for whoever reads the logs)."""
        data = {
            "operations": [asdict(op) for op in self.operations],
            "incidents": [asdict(incident) for incident in self.incidents],
        }
        path.write_text(json.dumps(data, indent=1))

    def statuses(self) -> Counter[str]:
        """How the operations were answered: `202`, `409`, `none` …"""
        return Counter(str(op.status or "none") for op in self.operations)
