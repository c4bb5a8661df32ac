"""The README walkthrough through the gateway, on the whole system running as separate processes."""

from __future__ import annotations

import pytest

from .conftest import RunningSystem
from .flows import walkthrough

pytestmark = pytest.mark.infra


async def test_request_assign_reassign_release_with_every_step_audited(
    running: RunningSystem,
) -> None:
    await walkthrough(running)
