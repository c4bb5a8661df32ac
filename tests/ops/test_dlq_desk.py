"""The desk's decisions on hand-written fakes: once only, resumable, announced, secrets masked."""

from __future__ import annotations

import asyncio
import json
import typing
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from velo_audit.entries import to_entry
from velo_contracts import PLATFORM_TENANT_ID, Message
from velo_contracts.tenants import SEALED_FIELDS, TenantConfigured
from velo_contracts.topics import OPS_EVENTS
from velo_ops.actions import ActionLog, MemoryActionDocuments
from velo_ops.desk import Desk
from velo_ops.domain import (
    MASK,
    Action,
    AlreadyHandled,
    Kind,
    State,
    Unconfirmed,
    announcement,
    payload_of,
)
from velo_runtime.deadletters import DeadLetter, dead_letter_headers
from velo_runtime.kafka import envelope_headers

from .conftest import assign

TOPIC = "velo.assignment.commands.v1"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def record(
    topic: str, value: bytes, headers: dict[str, str], offset: int = 0, key: bytes | None = None
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic, 0, offset, 0, 0, key, value, None, 0, len(value),
        [(name, text.encode()) for name, text in headers.items()],
    )  # fmt: skip


def parked(message: Message, offset: int = 0, **extra: str) -> ConsumerRecord[bytes, bytes]:
    """The DLQ record the runtime writes for message after it failed on TOPIC."""
    original = record(TOPIC, message.model_dump_json().encode(), envelope_headers(message) | extra)
    headers = dead_letter_headers(original, RuntimeError("PortSIP said no"), 3, NOW)
    return record(f"{TOPIC}.dlq", original.value or b"", headers, offset, b"+12125550100")


class Letters:
    def __init__(self, *records: ConsumerRecord[bytes, bytes]):
        self.letters = [DeadLetter.from_record(r) for r in records]

    async def all(self, topic: str | None = None) -> list[DeadLetter]:
        return self.letters

    async def one(self, topic: str, partition: int, offset: int) -> DeadLetter | None:
        wanted = f"{topic}/{partition}/{offset}"
        return next((letter for letter in self.letters if letter.id == wanted), None)


class Sender:
    def __init__(self, fails: bool = False):
        self.replayed: list[tuple[str, str]] = []
        self.announced: list[Message] = []
        self.fails = fails

    async def replay(self, letter: DeadLetter, operator: str) -> None:
        await asyncio.sleep(0)
        if self.fails:
            raise ConnectionError("Kafka went away")
        self.replayed.append((letter.id, operator))

    async def announce(self, message: Message) -> None:
        self.announced.append(message)


def desk(*records: ConsumerRecord[bytes, bytes]) -> Desk:
    return Desk(Letters(*records), ActionLog(MemoryActionDocuments()), clock=lambda: NOW)


async def test_of_two_operators_replaying_at_once_only_the_first_publishes() -> None:
    tool, sender = desk(parked(assign())), Sender()
    dead = f"{TOPIC}.dlq/0/0"

    results = await asyncio.gather(
        tool.replay(dead, "alice", sender), tool.replay(dead, "bob", sender), return_exceptions=True
    )

    refused = [r for r in results if isinstance(r, AlreadyHandled)]
    assert len(refused) == 1 and len(sender.replayed) == 1 and len(sender.announced) == 1
    assert refused[0].action.by == sender.replayed[0][1]


async def test_a_replay_that_could_not_publish_waits_unconfirmed_and_resume_finishes_it() -> None:
    tool = desk(parked(assign()))
    dead = f"{TOPIC}.dlq/0/0"

    with pytest.raises(Unconfirmed, match="--resume --by alice") as stopped:
        await tool.replay(dead, "alice", Sender(fails=True))
    assert stopped.value.exit_code == 1
    assert (await tool.row(dead)).state is State.REPLAY_UNCONFIRMED

    sender = Sender()
    action = await tool.resume(dead, Kind.REPLAY, "bob", sender)
    assert sender.replayed == [(dead, "alice")] and action.resumed_by == "bob"
    assert (await tool.row(dead)).state is State.REPLAYED


async def test_a_resume_after_the_replay_was_sent_only_announces_it() -> None:
    tool = desk(parked(assign()))
    dead = f"{TOPIC}.dlq/0/0"
    sender = Sender()
    action = await tool.actions.begin(Action(dead, Kind.REPLAY, "alice", NOW))
    await tool.actions.sent(action, NOW)  # published, then the tool died before announcing

    await tool.resume(dead, Kind.REPLAY, "bob", sender)

    assert sender.replayed == []
    [event] = sender.announced
    assert event.type == "DeadLetterReplayed"


async def test_the_announcement_names_the_operator_the_tenant_and_is_the_same_each_time() -> None:
    command = assign(tenant="globex")
    letter = DeadLetter.from_record(parked(command))
    tool = desk(parked(command), record(f"{TOPIC}.dlq", b"{not json", {}, offset=1))
    first, second = Sender(), Sender()

    await tool.discard(letter.id, "carol", first, "number was released")
    await tool.replay(f"{TOPIC}.dlq/0/1", "carol", second)

    [discarded], [replayed] = first.announced, second.announced
    assert (discarded.tenant_id, discarded.actor.role, discarded.actor.user_id) == (
        "globex",
        "operator",
        "carol",
    )
    assert discarded.causation_id == command.message_id
    assert discarded.correlation_id == command.correlation_id
    assert replayed.tenant_id == PLATFORM_TENANT_ID  # nobody can tell whose it was
    again = announcement(Action(letter.id, Kind.DISCARD, "carol", NOW, "x"), letter)
    assert again.message_id == discarded.message_id

    entry = to_entry(record(OPS_EVENTS.name, discarded.model_dump_json().encode(), {}), NOW)
    assert (entry["type"], entry["tenant_id"], entry["number"]) == (
        "DeadLetterDiscarded",
        "globex",
        command.number,
    )
    assert entry["actor"] == {"user_id": "carol", "role": "operator"}
    assert entry["payload"]["reason"] == "number was released"


def _sealed_paths(model: type[Any], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
            found |= _sealed_paths(annotation, (*prefix, name))
        elif "sealed" in (field.description or "").lower():
            found.add((*prefix, name))
    return found


def test_show_masks_every_sealed_secret_of_a_tenant_configuration() -> None:
    assert _sealed_paths(TenantConfigured) == set(SEALED_FIELDS)
    configured = TenantConfigured.model_validate(
        {
            "tenant_id": "acme",
            "actor": {"user_id": "ops", "role": "system"},
            "name": "Acme",
            "revision": 1,
            "didww": {"api_key": "gAAAA-sealed-key", "voice_in_trunk_name": "acme"},
            "portsip": {
                "base_url": "https://pbx",
                "domain": "acme.pbx.local",
                "admin_username": "admin",
                "admin_password": "gAAAA-sealed-password",
                "trunk_name": "DIDWW",
                "sip_host": "pbx",
                "default_destination": "800",
            },
        }
    )
    letter = DeadLetter.from_record(parked(configured))

    shown = json.dumps(payload_of(letter))

    assert "gAAAA" not in shown and shown.count(MASK) == 2
    assert typing.cast(dict[str, Any], payload_of(letter))["portsip"]["domain"] == "acme.pbx.local"


def test_audit_records_a_replayed_message_parked_again_as_a_new_entry_and_the_operator() -> None:
    command = assign()
    first = to_entry(parked(command, offset=4), NOW)
    again = to_entry(parked(command, offset=9, **{"velo-replay-of": f"{TOPIC}.dlq/0/4"}), NOW)
    assert first["_id"] == f"dead-letter:{command.message_id}"
    assert again["_id"] == f"dead-letter:{command.message_id}:0-9"
    assert again["message_id"] == first["message_id"] == command.message_id
