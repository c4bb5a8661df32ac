"""`python -m velo_devinfra.chaos`: one chaos run; exit 1 when a required check does not hold."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from velo_devinfra.chaos.harness import run_chaos
from velo_devinfra.chaos.plan import FULL, SMALL, scaled
from velo_devinfra.chaos.report import render


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Parses the options, runs the chaos, prints the table."""
    parser = argparse.ArgumentParser(prog="velo-chaos", description=__doc__)
    parser.add_argument("--small", action="store_true", help="the short version make test runs")
    parser.add_argument("--operations", type=int, help="writes sent through the gateway")
    parser.add_argument("--kills", type=int, help="services killed with SIGKILL")
    parser.add_argument("--seed", type=int, help="seed of the operation mix and the kills")
    parser.add_argument("--clients", type=int, help="concurrent admin clients (both tenants)")
    parser.add_argument("--kill-every", type=float, help="seconds between kills")
    parser.add_argument("--duration", type=float, help="bound on the drive phase, seconds")
    parser.add_argument("--converge", type=float, help="bound on settling afterwards, seconds")
    parser.add_argument("--portsip-outage", type=float, help="seconds PortSIP is down")
    parser.add_argument("--data-dir", type=Path, help="keep the system's data and logs here")
    parser.add_argument("--keep", action="store_true", help="leave the data for inspection")
    args = parser.parse_args(argv)
    plan = scaled(
        SMALL if args.small else FULL,
        operations=args.operations,
        kills=args.kills,
        seed=args.seed,
        clients=args.clients,
        kill_every=args.kill_every,
        duration=args.duration,
        converge=args.converge,
        portsip_outage=args.portsip_outage,
    )
    # Connection refusals while the broker restarts are expected; the checks report what matters.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    # A SIGTERM (a CI timeout, `kill`) stops the run like Ctrl-C: the system it started goes too.
    signal.signal(signal.SIGTERM, _interrupt)
    print(f"velo-chaos: {plan}", flush=True)
    report = run_chaos(plan, args.data_dir, args.keep)
    print(render(report), flush=True)
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
