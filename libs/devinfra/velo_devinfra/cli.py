"""`velo-infra`: start and stop the local Kafka and MongoDB (`make infra-up` / `infra-down`).

The MongoDB-wire database is mongo-java-server; `up` uses its H2 backend, so what is written stays
in the data folder across `down` and `up`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

from velo_devinfra.browser import ensure_chromium
from velo_devinfra.paths import default_data_dir
from velo_devinfra.process import ProcessFailed, stop_group
from velo_devinfra.promtool import prepare_report as prepare_promtool
from velo_devinfra.stack import LocalInfra, prepare


def _up(args: argparse.Namespace) -> int:
    infra_dir = args.data_dir / "infra"
    if (infra_dir / "state.json").exists():
        print(f"already up (state in {infra_dir / 'state.json'}); run `make infra-down` first")
        return 1
    started = time.monotonic()
    infra = LocalInfra(infra_dir, args.kafka_port, args.mongo_port, mongo_backend="h2")
    infra.start()
    try:
        asyncio.run(infra.wait_ready())
    except (ProcessFailed, KeyboardInterrupt):
        infra.stop()
        raise
    infra.write_state()
    print(f"ready in {time.monotonic() - started:.1f}s; data in {infra_dir}")
    for name, value in infra.endpoints.as_env().items():
        print(f"export {name}={value}")
    return 0


def _down(args: argparse.Namespace) -> int:
    state_path = args.data_dir / "infra" / "state.json"
    if not state_path.exists():
        print("nothing is up")
        return 0
    state = json.loads(state_path.read_text())
    for name, pid in state["pids"].items():
        if pid and stop_group(pid, timeout=30):
            print(f"stopped {name} (pid {pid})")
    state_path.unlink()
    return 0


def _prepare(_: argparse.Namespace) -> int:
    started = time.monotonic()
    jars, launcher = prepare()
    print(
        f"{ensure_chromium()}\n"
        f"{prepare_promtool()}\n"
        f"Kafka jars: {jars}\n"
        f"mongo-java-server jars: {launcher.lib}\n"
        f"mongo launcher classes: {launcher.classes}\n"
        f"({time.monotonic() - started:.1f}s)"
    )
    return 0


def main(argv: list[str] | None = None) -> None:
    """Runs one velo-infra subcommand."""
    parser = argparse.ArgumentParser(prog="velo-infra", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start Kafka and MongoDB in the background and wait for them")
    up.add_argument("--kafka-port", type=int, default=9092)
    up.add_argument("--mongo-port", type=int, default=27017)
    up.set_defaults(run=_up)
    sub.add_parser("down", help="stop what `up` started").set_defaults(run=_down)
    prepare_help = "fetch the jars, compile the mongo launcher, build promtool only"
    sub.add_parser("prepare", help=prepare_help).set_defaults(run=_prepare)
    args = parser.parse_args(argv)
    # Connection refusals while the broker boots are expected; the wait reports real failures.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        sys.exit(args.run(args))
    except ProcessFailed as exc:
        sys.exit(f"velo-infra: {exc}")


if __name__ == "__main__":
    main()
