"""The processes `make run` starts besides Kafka and MongoDB, and how they find each other."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from velo_devinfra.process import ManagedProcess, ProcessFailed
from velo_tenants.demo import DEMO_TENANTS

PORTS = {
    "didww-sandbox": 8090,
    "portsip-sandbox": 8091,
    "inventory": 8101,
    "ordering": 8102,
    "sip-routing": 8103,
    "assignment": 8104,
    "audit": 8105,
    "gateway": 8080,
}


@dataclass(frozen=True)
class Component:
    """One process of the system and where it answers."""

    name: str
    argv: tuple[str, ...]
    port: int
    ready_path: str
    env: dict[str, str] = field(default_factory=dict)


INSTANCE_STRIDE = 20
"""Further instances of a service answer this many ports above the one before."""
SINGLE = ("gateway",)
"""Runs once: the gateway holds no state, one is enough locally."""


def components(offset: int = 0, instances: int = 1) -> list[Component]:
    """Returns the sandboxes and services (each service `instances` times), ports shifted."""
    port = {name: number + offset for name, number in PORTS.items()}
    url = {name: f"http://127.0.0.1:{number}" for name, number in port.items()}
    peers = {  # every instance, for callers that must reach whichever is up (velo_runtime.peers)
        name: ",".join(
            f"http://127.0.0.1:{number + INSTANCE_STRIDE * i}"
            for i in range(1 if name in SINGLE else instances)
        )
        for name, number in port.items()
        if not name.endswith("-sandbox")
    }
    py = sys.executable
    didww_api = f"{url['didww-sandbox']}/v3"
    wiring = {
        "inventory": {"VELO_INVENTORY_DIDWW_BASE_URL": didww_api},
        "ordering": {
            "VELO_ORDERING_DIDWW_BASE_URL": didww_api,
            "VELO_ORDERING_PUBLIC_BASE_URL": url["ordering"],
        },
        "sip-routing": {},
        "assignment": {"VELO_ASSIGNMENT_SIP_ROUTING_URL": peers["sip-routing"]},
        "audit": {},
        "gateway": {
            f"VELO_GATEWAY_{name.replace('-', '_').upper()}_URL": peers[name]
            for name in ("inventory", "ordering", "sip-routing", "assignment", "audit")
        }
        | {"VELO_GATEWAY_DEV_TENANTS": json.dumps(list(DEMO_TENANTS))},
    }
    sandboxes = [
        Component(
            name,
            (py, "-m", "velo_sandbox.cli", kind, "--port", str(port[name])),
            port[name],
            "/_admin/faults",
        )
        for name, kind in (("didww-sandbox", "didww"), ("portsip-sandbox", "portsip"))
    ]
    services = [
        _service(name, env, port[name] + INSTANCE_STRIDE * i, i)
        for i in range(instances)
        for name, env in wiring.items()
        if i == 0 or name not in SINGLE
    ]
    return sandboxes + services


def _service(name: str, env: dict[str, str], port: int, instance: int) -> Component:
    """Returns instance number `instance` (0 is the first) of a service."""
    prefix = f"VELO_{name.replace('-', '_').upper()}"
    own = {f"{prefix}_HTTP_PORT": str(port)}
    if name == "ordering":  # DIDWW calls back the instance that placed the order
        own[f"{prefix}_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    label = name if instance == 0 else f"{name}-{instance + 1}"
    argv = (sys.executable, "-m", f"velo_{name.replace('-', '_')}.app")
    return Component(label, argv, port, "/ready", env | own)


def answers(url: str) -> bool:
    """Tells whether url answers 200 right now."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own localhost
            return bool(response.status == 200)
    except OSError:
        return False


def wait_answering(component: Component, process: ManagedProcess, timeout: float = 60) -> None:
    """Waits until component answers on its ready path, or raises with its log."""
    url = f"http://127.0.0.1:{component.port}{component.ready_path}"
    deadline = time.monotonic() + timeout
    while not answers(url):
        process.check_alive()
        if time.monotonic() > deadline:
            raise ProcessFailed(f"{component.name} not ready at {url}:\n{process.log_tail()}")
        time.sleep(0.2)
