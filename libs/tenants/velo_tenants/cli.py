"""`velo-tenants`: register or update a tenant, seed the demo tenants, make a secrets key.

Secrets are never taken as arguments (they would land in shell history and `ps`): they are read
from environment variables whose names the options give.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from velo_contracts import Actor
from velo_tenants.demo import demo_tenants
from velo_tenants.registry import SERVICE, TenantSpec, configured_event, register
from velo_tenants.sealing import SealingError, SecretBox


def _secret(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise SystemExit(f"velo-tenants: environment variable {variable} is empty or not set")
    return value


def _optional_secret(variable: str | None) -> str | None:
    return _secret(variable) if variable else None


def _spec(args: argparse.Namespace) -> TenantSpec:
    return TenantSpec(
        tenant_id=args.tenant_id,
        name=args.name or args.tenant_id,
        didww_api_key=_secret(args.didww_api_key_env),
        didww_callback_secret=_optional_secret(args.didww_callback_secret_env),
        allow_back_ordering=args.allow_back_ordering,
        in_app_kyc=args.in_app_kyc,
        didww_trunk_name=args.didww_trunk_name or f"{args.tenant_id}-portsip",
        portsip_url=args.portsip_url,
        portsip_domain=args.portsip_domain,
        portsip_admin=args.portsip_admin,
        portsip_password=_secret(args.portsip_password_env),
        portsip_trunk=args.portsip_trunk,
        sip_host=args.sip_host,
        sip_port=args.sip_port,
        default_destination=args.default_destination,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="velo-tenants", description=__doc__)
    parser.add_argument("--kafka", default=os.environ.get("VELO_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("new-key", help="print a fresh VELO_SECRETS_KEY")
    demo = sub.add_parser("seed-demo", help="register the demo tenants acme and globex")
    demo.add_argument("--portsip-url", default="http://127.0.0.1:8091/api")
    reg = sub.add_parser("register", help="register or update one tenant")
    reg.add_argument("tenant_id")
    reg.add_argument("--name")
    reg.add_argument("--didww-api-key-env", default="DIDWW_API_KEY", metavar="VAR")
    reg.add_argument(
        "--didww-callback-secret-env",
        metavar="VAR",
        help="variable holding the callback secret enabled in DIDWW's User Panel; without one "
        "DIDWW sends no order callbacks and ordering polls",
    )
    reg.add_argument(
        "--allow-back-ordering",
        action="store_true",
        help="let next-available requests become DIDWW back-orders (charged, delivered later)",
    )
    reg.add_argument(
        "--in-app-kyc",
        action="store_true",
        help="admins file KYC documents in VeloConnect and request regulated numbers with them",
    )
    reg.add_argument("--didww-trunk-name")
    reg.add_argument("--portsip-url", required=True)
    reg.add_argument("--portsip-domain", required=True)
    reg.add_argument("--portsip-admin", required=True)
    reg.add_argument("--portsip-password-env", default="PORTSIP_PASSWORD", metavar="VAR")
    reg.add_argument("--portsip-trunk", required=True)
    reg.add_argument("--sip-host", required=True)
    reg.add_argument("--sip-port", type=int, default=5060)
    reg.add_argument("--default-destination", required=True, metavar="EXTENSION")
    return parser


def main(argv: list[str] | None = None) -> None:
    """Runs one velo-tenants command."""
    args = _parser().parse_args(argv)
    if args.command == "new-key":
        print(SecretBox.new_key())
        return
    specs = demo_tenants(args.portsip_url) if args.command == "seed-demo" else [_spec(args)]
    try:
        box = SecretBox.from_env()
    except SealingError as exc:
        sys.exit(f"velo-tenants: {exc}")
    events = [configured_event(spec, box, Actor.system(SERVICE)) for spec in specs]
    asyncio.run(register(args.kafka, events))
    for event in events:
        print(f"registered {event.tenant_id} (revision {event.revision})")


if __name__ == "__main__":
    main()
