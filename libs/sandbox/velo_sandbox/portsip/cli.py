"""`velo-sandbox portsip [--host H] [--port P] [--tenant DOMAIN:ADMIN:PASSWORD]... [--token-ttl S]`

Runs the PortSIP sandbox; the demo tenants are seeded unless --no-seed.
"""

from __future__ import annotations

import argparse

from velo_sandbox.portsip.app import create_app
from velo_sandbox.portsip.config import DEMO_TENANTS, SandboxConfig, TenantSeed
from velo_sandbox.serve import serve_forever


def parse(argv: list[str]) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(prog="velo-sandbox portsip", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument(
        "--tenant",
        action="append",
        type=TenantSeed.parse,
        default=[],
        metavar="DOMAIN:ADMIN:PASSWORD",
        help="add a tenant (repeatable)",
    )
    parser.add_argument("--token-ttl", type=float, default=1800.0, metavar="SECONDS")
    parser.add_argument(
        "--seed",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="seed the demo tenants and every tenant's directory (default: on)",
    )
    return parser.parse_args(argv)


def config_from(args: argparse.Namespace) -> SandboxConfig:
    """Turns the arguments into a sandbox config (demo tenants first unless --no-seed)."""
    demo = DEMO_TENANTS if args.seed else ()
    extra = tuple(t for t in args.tenant if t.domain not in {d.domain for d in demo})
    return SandboxConfig(tenants=demo + extra, seed_directory=args.seed, token_ttl=args.token_ttl)


def main(argv: list[str]) -> None:
    """Runs the PortSIP sandbox in the foreground."""
    args = parse(argv)
    print(f"PortSIP sandbox on http://{args.host}:{args.port}/api", flush=True)
    serve_forever(create_app(config_from(args)), args.host, args.port)
