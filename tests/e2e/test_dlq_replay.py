"""An operator replays a message assignment parked; the admin's audit log shows who did it."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from velo_contracts import Actor, AssignNumber, Role
from velo_contracts.topics import ASSIGNMENT_COMMANDS
from velo_runtime.kafka import envelope_headers
from velotest import eventually

from .conftest import RunningSystem
from .flows import audit_entries

pytestmark = pytest.mark.infra
VELO_DLQ = Path(sys.executable).parent / "velo-dlq"
NUMBER = "+12125550199"


async def _velo_dlq(running: RunningSystem, *args: str) -> tuple[int, str, str]:
    endpoints = running.system.infra.endpoints
    env = {"VELO_KAFKA_BOOTSTRAP": endpoints.kafka_bootstrap, "VELO_MONGO_URL": endpoints.mongo_url}
    process = await asyncio.create_subprocess_exec(
        str(VELO_DLQ),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    return process.returncode or 0, out.decode(), err.decode()


async def _send_unreadable_assignment(running: RunningSystem) -> AssignNumber:
    """Sends an assignment that names neither agent nor target: assignment parks it at once."""
    admin = Actor(user_id="admin@acme", role=Role.ADMIN)
    command = AssignNumber(tenant_id="acme", actor=admin, number=NUMBER, outbound_agent="101")
    body = command.model_dump(mode="json") | {"outbound_agent": None}
    producer = AIOKafkaProducer(bootstrap_servers=running.system.infra.endpoints.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            ASSIGNMENT_COMMANDS.name,
            json.dumps(body).encode(),
            key=NUMBER.encode(),
            headers=[(name, value.encode()) for name, value in envelope_headers(command).items()],
        )
    finally:
        await producer.stop()
    return command


async def _parked(running: RunningSystem, message_id: str) -> list[dict[str, Any]]:
    code, out, err = await _velo_dlq(
        running, "list", "--topic", ASSIGNMENT_COMMANDS.name, "--all", "--json"
    )
    assert code == 0, err
    return [row for row in json.loads(out) if row["message_id"] == message_id]


async def test_a_replayed_dead_letter_shows_in_the_audit_log_with_the_operator(
    running: RunningSystem,
) -> None:
    command = await _send_unreadable_assignment(running)
    [parked] = await eventually(lambda: _parked(running, command.message_id), timeout=60)
    assert parked["state"] == "parked" and parked["error_type"] == "ValidationError"

    code, out, err = await _velo_dlq(
        running, "replay", command.message_id[:8], "--by", "ops@velo", "--reason", "fixed"
    )
    assert code == 0, err
    assert parked["id"] in out

    async with running.api() as api:

        async def replayed() -> list[dict[str, Any]]:
            return await audit_entries(api, type="DeadLetterReplayed", number=NUMBER)

        [entry] = await eventually(replayed, timeout=60)
        assert entry["actor"] == {"user_id": "ops@velo", "role": "operator"}
        assert entry["payload"]["dead_letter"] == parked["id"]
        assert entry["payload"]["original_message_id"] == command.message_id
        assert entry["payload"]["reason"] == "fixed"

        # Still unreadable, so it is parked again: a second dead-letter entry, not lost as a repeat.
        async def parks() -> list[dict[str, Any]]:
            found = await audit_entries(api, number=NUMBER)
            dead = [e["id"] for e in found if e["id"].startswith("dead-letter:")]
            return dead if len(dead) == 2 else []

        assert sorted(await eventually(parks, timeout=60))[0] == f"dead-letter:{command.message_id}"
    rows = await _parked(running, command.message_id)
    assert sorted(row["state"] for row in rows) == ["parked", "replayed"]
