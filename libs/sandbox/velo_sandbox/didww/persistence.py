"""Optional JSON state file, so a restarted sandbox keeps its accounts, orders and DIDs."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from velo_sandbox.didww.records import Records

SAVE_INTERVAL = 1.0


def load(path: Path | None) -> Records:
    """Returns the records saved at path, or empty records."""
    if path is None or not path.exists():
        return Records()
    return Records.model_validate_json(path.read_text())


def save(path: Path, records: Records) -> None:
    """Writes records to path atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(records.model_dump_json())
    os.replace(tmp, path)


async def keep_saved(path: Path, records: Records) -> None:
    """Saves records whenever they changed, every second, until cancelled."""
    last = ""
    while True:
        current = records.model_dump_json()
        if current != last:
            await asyncio.to_thread(save, path, records)
            last = current
        await asyncio.sleep(SAVE_INTERVAL)
