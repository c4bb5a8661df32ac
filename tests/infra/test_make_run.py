"""`make run` (velo_devinfra.run): comes up, reports ready, restarts a crashed service, and Ctrl-C
leaves no process behind."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from velo_devinfra.components import components
from velo_devinfra.stack import free_port
from velotest import eventually, free_offset

pytestmark = pytest.mark.infra


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _cmdline(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


async def test_make_run_comes_up_restarts_a_crashed_service_and_ctrl_c_stops_everything(
    tmp_path: Path,
) -> None:
    offset = free_offset()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "velo_devinfra.run",
        "--data-dir",
        str(tmp_path),
        "--kafka-port",
        str(free_port()),
        "--mongo-port",
        str(free_port()),
        "--port-offset",
        str(offset),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output: list[str] = []
    try:
        async with asyncio.timeout(180):
            while not (output and output[-1].startswith(("all services ready", "velo-run:"))):
                line = (await proc.stdout.readline()).decode()
                assert line, f"make run exited early:\n{''.join(output)}"
                output.append(line)
        assert output[-1].startswith("all services ready"), "".join(output)
        children = _children(proc.pid)
        async with httpx.AsyncClient() as http:
            health = await http.get(f"http://127.0.0.1:{8080 + offset}/health")
        assert health.json() == {"status": "ok", "service": "gateway"}
        commands = [_cmdline(pid) for pid in children]
        assert len(children) == 2 + len(components(offset))  # Kafka, MongoDB, the rest
        assert sum("kafka.Kafka" in argv for argv in commands) == 1
        mongo = [argv for argv in commands if "VeloMongo" in argv]
        assert len(mongo) == 1 and mongo[0][mongo[0].index("--backend") + 1] == "h2"

        [ordering] = [pid for pid in children if "velo_ordering.app" in _cmdline(pid)]
        os.kill(ordering, signal.SIGKILL)  # a crash: the supervisor brings it back, alone
        async with asyncio.timeout(60):
            while "ordering exited" not in output[-1]:
                output.append((await proc.stdout.readline()).decode())
        assert "restart 1" in output[-1] and proc.returncode is None
        ready = f"http://127.0.0.1:{8102 + offset}/ready"
        await eventually(lambda: _answers(ready), timeout=60)
        children = _children(proc.pid)
        assert len(children) == 2 + len(components(offset)) and ordering not in children
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 120)
    assert code == 0
    assert (tmp_path / "infra" / "mongo" / "mongo.mv.db").is_file()  # h2: kept for the next run
    await eventually(lambda: not any(_alive(pid) for pid in children), timeout=30)
