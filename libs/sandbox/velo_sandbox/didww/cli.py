"""`velo-sandbox didww [--port 8090] [--account KEY:BALANCE ...]`: run the DIDWW sandbox."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from velo_sandbox.didww.app import create_app
from velo_sandbox.didww.runtime import DEMO_ACCOUNTS, SandboxConfig
from velo_sandbox.serve import serve_forever


def _account(text: str) -> tuple[str, Decimal]:
    key, sep, balance = text.rpartition(":")
    if not sep or not key:
        raise argparse.ArgumentTypeError("expected KEY:BALANCE")
    return key, Decimal(balance)


def parse(argv: list[str]) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(prog="velo-sandbox didww", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument(
        "--account",
        type=_account,
        action="append",
        default=[],
        help="add an account (repeatable); demo accounts are always present",
    )
    parser.add_argument(
        "--order-delay", type=float, default=3.0, help="seconds before a pending order completes"
    )
    parser.add_argument("--state-file", type=Path, help="persist state to this JSON file")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the number inventory")
    parser.add_argument(
        "--rate-limit", type=float, default=20.0, help="requests/second per API key (0 disables)"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    """Runs the DIDWW sandbox until interrupted."""
    args = parse(argv)
    accounts = {**DEMO_ACCOUNTS, **dict(args.account)}
    config = SandboxConfig(
        accounts=accounts,
        order_delay=args.order_delay,
        seed=args.seed,
        state_file=args.state_file,
        rate_limit=args.rate_limit or None,
    )
    print(
        f"DIDWW sandbox on http://{args.host}:{args.port}/v3 — demo keys: "
        + ", ".join(DEMO_ACCOUNTS)
    )
    serve_forever(create_app(config), args.host, args.port)
