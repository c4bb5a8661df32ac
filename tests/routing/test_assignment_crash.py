"""A refusal survives a crash mid-handling (found by `make chaos`): the command used to be
marked handled before its refusal was stored, so a crash in between left a 202 with no outcome
(the redelivery saw "handled" and did nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from velo_assignment.handlers import handle
from velo_assignment.store import NumberBook, row_id
from velo_contracts import Actor, Role, UnassignNumber

pytestmark = pytest.mark.infra
ADMIN = Actor(user_id="admin@acme", role=Role.ADMIN)
NUMBER = "+13125550100"


class Crash(Exception):
    """The process dying at this point."""


class NoDirectory:
    """Assignment's target check; an unassign never asks it."""

    async def kind_of(self, tenant_id: str, extension: str) -> str | None:
        raise AssertionError("not asked")


async def test_a_refusal_interrupted_by_a_crash_is_stored_on_redelivery(
    mongo_db: AsyncDatabase[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    book = NumberBook(mongo_db)
    row = {"tenant_id": "acme", "number": NUMBER, "status": "released", "seen": [], "history": []}
    await mongo_db.numbers.insert_one({"_id": row_id("acme", NUMBER), "rev": 1, **row})
    command = UnassignNumber(tenant_id="acme", actor=ADMIN, number=NUMBER)

    stored_change = book.change

    async def dies(*args: Any, **kwargs: Any) -> bool:
        raise Crash

    monkeypatch.setattr(book, "change", dies)
    with pytest.raises(Crash):
        await handle(book, NoDirectory(), command)  # type: ignore[arg-type]
    monkeypatch.setattr(book, "change", stored_change)

    assert await handle(book, NoDirectory(), command) == []  # the redelivery  # type: ignore[arg-type]
    stored = await book.current("acme", NUMBER)
    assert stored is not None
    [noted] = stored["changes"]
    assert (noted["command_id"], noted["outcome"]) == (command.command_id, "refused")
    assert {e["event"]["type"] for e in stored["outbox"].values()} == {
        "AssignmentRejected",
        "AdminAlertRaised",
    }
    assert await book.was_handled("acme", command.command_id)
