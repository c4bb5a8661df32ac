"""`velo-sandbox KIND [options]`: run one vendor sandbox as a standalone HTTP server."""

from __future__ import annotations

import importlib
import sys

KINDS = {"didww": "velo_sandbox.didww.cli", "portsip": "velo_sandbox.portsip.cli"}


def main(argv: list[str] | None = None) -> None:
    """Dispatches to the sandbox named by the first argument."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in KINDS:
        sys.exit(f"usage: velo-sandbox {{{'|'.join(KINDS)}}} [--help]")
    module = importlib.import_module(KINDS[args[0]])
    module.main(args[1:])


if __name__ == "__main__":
    main()
