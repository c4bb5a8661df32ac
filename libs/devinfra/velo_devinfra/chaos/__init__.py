"""`make chaos`: the whole system, two instances per service, driven while it is being broken.

Clients drive requests, assignments, releases and re-requests through the gateway while service
processes are killed (SIGKILL), the broker and the database restart once each and the DIDWW and
PortSIP sandboxes fail on purpose; then the run waits for the system to settle and checks that
nothing accepted was lost, nothing was bought twice and every store tells the same story.
"""

from velo_devinfra.chaos.harness import run_chaos
from velo_devinfra.chaos.plan import Plan

__all__ = ["Plan", "run_chaos"]
