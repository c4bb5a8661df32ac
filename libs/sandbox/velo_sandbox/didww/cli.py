"""`velo-sandbox didww [--port 8090] [--account KEY:BALANCE[:CALLBACK_SECRET] ...]
[--review-delay SECONDS]`: run it.

An account given a callback secret gets signed order callbacks (as one with a secret enabled in
DIDWW's User Panel); an account without one gets none, as at DIDWW.
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from velo_sandbox.didww.app import create_app
from velo_sandbox.didww.runtime import DEMO_ACCOUNTS, DEMO_CALLBACK_SECRETS, SandboxConfig
from velo_sandbox.serve import serve_forever


class AccountArg(NamedTuple):
    """One `--account`: API key, balance and the optional callback secret."""

    api_key: str
    balance: Decimal
    callback_secret: str | None


def parse_account(text: str) -> AccountArg:
    """Parses `KEY:BALANCE` or `KEY:BALANCE:CALLBACK_SECRET` (the secret may hold colons)."""
    key, _, rest = text.partition(":")
    balance, has_secret, secret = rest.partition(":")
    try:
        amount = Decimal(balance)
    except InvalidOperation:
        raise argparse.ArgumentTypeError("expected KEY:BALANCE[:CALLBACK_SECRET]") from None
    if not key or (has_secret and not secret):
        raise argparse.ArgumentTypeError("expected KEY:BALANCE[:CALLBACK_SECRET]")
    return AccountArg(key, amount, secret or None)


def parse(argv: list[str]) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(prog="velo-sandbox didww", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument(
        "--account",
        type=parse_account,
        action="append",
        default=[],
        metavar="KEY:BALANCE[:CALLBACK_SECRET]",
        help="add an account (repeatable); without a callback secret it gets no callbacks; "
        "the demo accounts are always present, with their callback secrets",
    )
    parser.add_argument(
        "--order-delay", type=float, default=3.0, help="seconds before a pending order completes"
    )
    parser.add_argument(
        "--review-delay",
        type=float,
        default=None,
        metavar="SECONDS",
        help="review address verifications automatically after SECONDS: approved, or rejected "
        "when the identity's last name contains 'Reject' (default: wait for an admin call)",
    )
    parser.add_argument("--state-file", type=Path, help="persist state to this JSON file")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the number inventory")
    parser.add_argument(
        "--rate-limit", type=float, default=20.0, help="requests/second per API key (0 disables)"
    )
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> SandboxConfig:
    """Returns the sandbox configuration the parsed arguments ask for."""
    accounts: list[AccountArg] = args.account
    secrets = {**DEMO_CALLBACK_SECRETS}
    for account in accounts:
        secrets.pop(account.api_key, None)
        if account.callback_secret:
            secrets[account.api_key] = account.callback_secret
    return SandboxConfig(
        accounts={**DEMO_ACCOUNTS, **{a.api_key: a.balance for a in accounts}},
        callback_secrets=secrets,
        order_delay=args.order_delay,
        seed=args.seed,
        state_file=args.state_file,
        rate_limit=args.rate_limit or None,
        review_delay=args.review_delay,
    )


def main(argv: list[str]) -> None:
    """Runs the DIDWW sandbox until interrupted."""
    args = parse(argv)
    print(
        f"DIDWW sandbox on http://{args.host}:{args.port}/v3 — demo keys: "
        + ", ".join(DEMO_ACCOUNTS)
    )
    serve_forever(create_app(config_from(args)), args.host, args.port)
