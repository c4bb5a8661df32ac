"""A chaos run from start to end: start a fresh system, drive and break it, let it settle, check."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx
from aiokafka.errors import KafkaError

from velo_devinfra.chaos import faults
from velo_devinfra.chaos.access import TENANTS, Access
from velo_devinfra.chaos.checks import Check, settled, what_was_done, zero
from velo_devinfra.chaos.driver import Budget, clients
from velo_devinfra.chaos.ledger import Ledger
from velo_devinfra.chaos.observe import ObserveFailed, Observer
from velo_devinfra.chaos.plan import Plan
from velo_devinfra.chaos.report import Report
from velo_devinfra.chaos.supervisor import Supervisor
from velo_devinfra.run import System
from velo_devinfra.stack import free_offset, free_port

ENV = {"VELO_GATEWAY_WRITE_BURST": "1000", "VELO_GATEWAY_WRITES_PER_MINUTE": "10000"}
"""The clients write faster than an admin would: the gateway's write budget must not refuse them."""
POLL = 10.0
STILL = 120.0
"""Seconds the failures must stay the same, nothing in flight, before settling stops early."""


def run_chaos(plan: Plan, data_dir: Path | None = None, keep: bool = False) -> Report:
    """Runs the whole chaos on a fresh system of its own; removes its data unless kept or failed."""
    began = time.monotonic()
    data = data_dir or Path(tempfile.mkdtemp(prefix="velo-chaos-"))
    system = System(
        data, free_port(), free_port(), free_offset(2), mongo_backend="h2", instances=2, env=ENV
    )
    ledger = Ledger()
    report = None
    try:
        system.start()
        ledger.note("system up", f"{len(system.processes)} processes, data in {data}")
        checks = asyncio.run(_chaos(plan, system, ledger))
        checks.append(zero("queries without an index (log lines)", _unplanned(system), False))
        report = Report(checks, time.monotonic() - began, str(data))
    finally:
        system.stop()
        ledger.save(data / "chaos-ledger.json")
        if data_dir is None and not keep and report is not None and report.ok:
            shutil.rmtree(data, ignore_errors=True)
    return report


async def _chaos(plan: Plan, system: System, ledger: Ledger) -> list[Check]:
    access = Access.of(system)
    supervisor = Supervisor(system, ledger, plan)
    stop = asyncio.Event()
    reviver = asyncio.create_task(supervisor.revive_until(stop))
    try:
        await _drive(plan, access, supervisor, ledger)
        await faults.clear_all(access)
        ledger.note("drive over", "every fault cleared; waiting for the system to settle")
        return what_was_done(plan, ledger) + await _settle(plan, access, ledger)
    finally:
        stop.set()
        await reviver


async def _drive(plan: Plan, access: Access, supervisor: Supervisor, ledger: Ledger) -> None:
    """Runs the clients, the kills, the infrastructure restarts and the faults together."""
    began = time.monotonic()
    budget = Budget(plan.operations, began + plan.duration)
    rivals: dict[str, list[str]] = {}
    workers = clients(access, ledger, plan.clients, plan.seed, plan.pace)
    await asyncio.gather(
        *(worker.run(budget, rivals) for worker in workers),
        supervisor.kill_on_schedule(began),
        supervisor.restart_infra(began),
        faults.inject(access, ledger, plan, began),
    )


async def _settle(plan: Plan, access: Access, ledger: Ledger) -> list[Check]:
    """Checks the system every few seconds until its state checks hold, or the bound passes."""
    observer = Observer(access)
    users = {t: {op.user for op in ledger.operations if op.tenant == t} for t in TENANTS}
    deadline = time.monotonic() + plan.converge
    accepted = ledger.accepted()
    stuck = Stuck()
    while True:
        try:
            snap = await observer.snapshot(accepted, users)
            checks = settled(ledger, snap)
            waiting = [f"{c.name} ({c.found})" for c in checks if c.required and not c.ok]
            if not waiting or time.monotonic() > deadline or stuck.for_good(checks):
                return checks
            ledger.note("settling", "; ".join(waiting))
        except (ObserveFailed, httpx.HTTPError, KafkaError, TimeoutError) as exc:
            if time.monotonic() > deadline:
                return [zero("the system answered the final reads", [repr(exc)])]
            ledger.note("settling", f"not readable yet: {exc!r}"[:200])
        await asyncio.sleep(POLL)


class Stuck:
    """Tells when waiting longer cannot help: nothing is in flight and nothing moved for a while."""

    def __init__(self, calm: float = STILL) -> None:
        self.calm = calm
        self._last: list[tuple[str, str]] = []
        self._since = time.monotonic()

    def for_good(self, checks: list[Check]) -> bool:
        """Notes the failing checks; true once they stayed the same for calm seconds."""
        failing = [(c.name, c.found) for c in checks if c.required and not c.ok]
        if failing != self._last:
            self._last, self._since = failing, time.monotonic()
        in_flight = any(name.endswith("in flight") for name, _ in failing)
        return not in_flight and time.monotonic() - self._since >= self.calm


def _unplanned(system: System) -> list[str]:
    """Log lines of queries no declared index serves, from every service."""
    return [
        f"{log.name}: {line[:160]}"
        for log in sorted(system.logs.glob("*.log"))
        for line in log.read_text(errors="replace").splitlines()
        if "query_without_index" in line
    ]
