"""The chaos run of `make chaos`, small: the whole system keeps its promises while being broken.

Two instances of every service on a fresh broker and database (h2). Thirty operations from four
admins of both tenants; five services killed with SIGKILL; the broker restarted once; DIDWW and
PortSIP answering 5xx, 429 bursts and timeouts, and PortSIP down for a few seconds. Afterwards
every accepted command shows its outcome, nothing was bought twice, every billed number is listed,
the list, DIDWW and PortSIP agree per tenant, and audit holds every Kafka message once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from velo_devinfra.chaos import run_chaos
from velo_devinfra.chaos.plan import SMALL
from velo_devinfra.chaos.report import render

pytestmark = pytest.mark.infra


@pytest.mark.timeout(900)
def test_a_small_chaos_run_loses_nothing_and_every_store_agrees(tmp_path: Path) -> None:
    report = run_chaos(SMALL, data_dir=tmp_path / "chaos")
    print(render(report))

    found = {check.name: check for check in report.checks}
    assert found["services killed (kill -9)"].found == str(SMALL.kills)
    assert found["kafka restarts"].ok
    assert not report.failed(), render(report)
