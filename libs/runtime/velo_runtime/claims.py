"""Time-bounded claims: one worker at a time does a document's outside work (a vendor call chain).

A claim is a field of the document itself, taken and given back under the revision rule, so it
needs no second collection and no lock in a process. It expires, so a crashed holder only delays
the work. Writes by others (a relay, a callback) keep the claim: they change other fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from velo_runtime.documents import Document, Documents, change

CLAIM = "claim"


def _now() -> datetime:
    return datetime.now(UTC)


class Claims:
    """Takes and gives back claims on the documents of one collection for one owner."""

    def __init__(
        self,
        docs: Documents,
        owner: str,
        seconds: float,
        clock: Callable[[], datetime] = _now,
    ):
        self.docs, self.owner, self.seconds, self.clock = docs, owner, seconds, clock

    def holds(self, document: Document | None) -> bool:
        """Tells whether this owner's claim on the document is current."""
        claim = (document or {}).get(CLAIM) or {}
        return claim.get("owner") == self.owner and _aware(claim["until"]) > self.clock()

    def _free(self, document: Document) -> bool:
        claim = document.get(CLAIM) or {}
        return not claim or _aware(claim["until"]) <= self.clock()

    async def take(
        self,
        doc_id: str,
        *,
        when: Callable[[Document], bool] = lambda _: True,
        create: bool = False,
    ) -> Document | None:
        """Claims the document if nobody (this owner included) holds it and `when` holds.

        Returns the document as claimed, or None.
        """
        until = self.clock() + timedelta(seconds=self.seconds)

        def claim(stored: Document | None) -> Document | None:
            if stored is None:
                return {CLAIM: {"owner": self.owner, "until": until}} if create else None
            if not (self._free(stored) and when(stored)):
                return None
            return stored | {CLAIM: {"owner": self.owner, "until": until}}

        written = await change(self.docs, doc_id, claim)
        return written.document if written.changed else None

    def extend(self, document: Document) -> Document:
        """Returns the document with this owner's claim running seconds from now (to save)."""
        until = self.clock() + timedelta(seconds=self.seconds)
        return document | {CLAIM: {"owner": self.owner, "until": until}}

    async def give(self, doc_id: str) -> None:
        """Gives the claim back, if this owner still holds it."""

        def unclaim(stored: Document | None) -> Document | None:
            if stored is None or not self.holds(stored):
                return None
            return {k: v for k, v in stored.items() if k != CLAIM}

        await change(self.docs, doc_id, unclaim)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
