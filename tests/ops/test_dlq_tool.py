"""Dead letters parked by a real service, as operators see them through `velo-dlq`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from velo_ops.actions import COLLECTION, ActionLog, MongoActionDocuments
from velo_ops.domain import Action, Kind
from velotest import eventually

from .conftest import Dlq, Parking, assign, ops_events

pytestmark = pytest.mark.infra


def _headers(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}


def _replays(records: list[Any]) -> list[Any]:
    return [record for record in records if "velo-replayed-by" in _headers(record)]


async def test_list_shows_a_parked_message_with_its_error_and_show_prints_its_payload(
    dlq: Dlq, parking: Parking
) -> None:
    command = assign("+12125550100")
    [dead] = await parking.park(command)

    listed = await dlq("list", "--topic", parking.topic.name)
    assert listed.code == 0, listed.err
    assert len(listed.out.splitlines()) == 2, listed.out
    [header, line] = listed.out.splitlines()
    assert header.split()[:3] == ["ID", "FAILED", "AT"]
    assert line.startswith(dead + " ")
    for shown in (parking.topic.name, "AssignNumber", "acme", "RuntimeError: PortSIP said no"):
        assert shown in line
    assert line.endswith("parked")

    shown = await dlq("show", dead)
    assert shown.code == 0, shown.err
    assert f"AssignNumber {command.message_id}" in shown.out
    assert '"number": "+12125550100"' in shown.out  # the payload, pretty-printed
    assert "PortSIP said no to +12125550100" in shown.out

    by_prefix = await dlq("show", command.message_id[:13], "--json")
    assert by_prefix.code == 0, by_prefix.err
    as_json = by_prefix.json()
    assert as_json["id"] == dead and as_json["payload"]["outbound_agent"] == "101"
    assert as_json["attempts"] >= 1 and as_json["state"] == "parked"


async def test_a_replay_publishes_the_original_once_and_a_second_one_is_refused_naming_who(
    dlq: Dlq, parking: Parking
) -> None:
    command = assign("+12125550101")
    [dead] = await parking.park(command)

    replayed = await dlq("replay", dead, "--by", "alice", "--reason", "PortSIP is back")
    assert replayed.code == 0, replayed.err
    again = await dlq("replay", dead, "--by", "bob")
    assert again.code == 1
    assert "already replayed by alice" in again.err

    [replay] = _replays(await parking.originals())
    headers = _headers(replay)
    assert headers["velo-message-id"] == command.message_id
    assert replay.key == command.partition_key().encode()
    assert (headers["velo-replayed-by"], headers["velo-replay-of"]) == ("alice", dead)
    assert not any(name.startswith("x-dlq-") for name in headers)

    [event] = await eventually(lambda: ops_events(parking.bootstrap, dead))
    assert event["type"] == "DeadLetterReplayed"
    assert event["actor"] == {"user_id": "alice", "role": "operator"}
    assert (event["tenant_id"], event["original_message_id"]) == ("acme", command.message_id)
    assert (event["original_topic"], event["reason"]) == (parking.topic.name, "PortSIP is back")
    listed = await dlq("list", "--topic", parking.topic.dlq, "--all", "--json")
    assert [(row["id"], row["state"]) for row in listed.json()] == [(dead, "replayed")]


async def test_two_operators_replaying_at_once_publish_it_exactly_once(
    dlq: Dlq, parking: Parking
) -> None:
    [dead] = await parking.park(assign("+12125550102"))

    alice, bob = await asyncio.gather(
        dlq("replay", dead, "--by", "alice"), dlq("replay", dead, "--by", "bob")
    )

    assert sorted([alice.code, bob.code]) == [0, 1]
    loser, winner = (alice, "bob") if alice.code else (bob, "alice")
    assert f"already replayed by {winner}" in loser.err
    replays = _replays(await parking.originals())
    assert [_headers(r)["velo-replayed-by"] for r in replays] == [winner]
    assert len(await ops_events(parking.bootstrap, dead)) == 1


async def test_a_discarded_letter_leaves_the_default_list_and_shows_with_all(
    dlq: Dlq, parking: Parking
) -> None:
    [kept, dropped] = await parking.park(assign("+12125550103"), assign("+12125550104"))

    no_reason = await dlq("discard", dropped, "--by", "alice")
    assert no_reason.code == 2 and "--reason" in no_reason.err
    discarded = await dlq(
        "discard", dropped, "--reason", "number was released", VELO_OPERATOR="carol"
    )
    assert discarded.code == 0, discarded.err

    waiting = (await dlq("list", "--topic", parking.topic.name, "--json")).json()
    assert [row["id"] for row in waiting] == [kept]
    everything = (await dlq("list", "--topic", parking.topic.name, "--all", "--json")).json()
    states = {row["id"]: (row["state"], (row["action"] or {}).get("by")) for row in everything}
    assert states == {kept: ("parked", None), dropped: ("discarded", "carol")}
    replay = await dlq("replay", dropped, "--by", "alice")
    assert replay.code == 1 and "already discarded by carol" in replay.err
    assert not _replays(await parking.originals())
    [event] = await ops_events(parking.bootstrap, dropped)
    assert (event["type"], event["reason"]) == ("DeadLetterDiscarded", "number was released")


async def test_resume_publishes_a_replay_recorded_before_a_crash(
    dlq: Dlq, parking: Parking, mongo_db: AsyncDatabase[Any]
) -> None:
    [dead] = await parking.park(assign("+12125550105"))
    actions = ActionLog(MongoActionDocuments(mongo_db[COLLECTION]))
    crashed = Action(dead, Kind.REPLAY, "alice", datetime.now(UTC).replace(microsecond=0))
    await actions.begin(crashed)  # the tool died right after recording, before publishing

    listed = (await dlq("list", "--topic", parking.topic.name, "--json")).json()
    assert [row["state"] for row in listed] == ["replay unconfirmed"]
    plain = await dlq("replay", dead, "--by", "bob")
    assert plain.code == 1 and "already replayed by alice" in plain.err and "--resume" in plain.err
    assert not _replays(await parking.originals())

    resumed = await dlq("replay", dead, "--resume", "--by", "bob")
    assert resumed.code == 0, resumed.err

    [replay] = _replays(await parking.originals())
    assert _headers(replay)["velo-replayed-by"] == "alice"
    action = await actions.get(dead)
    assert action and action.done_at and action.resumed_by == "bob"
    assert (await dlq("replay", dead, "--resume", "--by", "bob")).code == 1


async def test_unknown_ids_exit_2_naming_them(dlq: Dlq, parking: Parking) -> None:
    for wanted in (f"{parking.topic.dlq}/0/999", "no-such-message-id"):
        ran = await dlq("show", wanted)
        assert (ran.code, ran.out) == (2, "")
        assert wanted in ran.err
    assert (await dlq("replay", f"{parking.topic.name}/0/0", "--by", "a")).code == 2
