"""A consumer process for the crash test: acks normal commands, hangs forever on `hang-*` ones.

Usage: python crashing_consumer.py BOOTSTRAP TOPIC GROUP
Prints `handled <request_id>` after acking-to-be and `hanging <request_id>` before hanging.
"""

from __future__ import annotations

import asyncio
import sys

from faststream.kafka import KafkaRouter

from velo_contracts import RequestNumber
from velo_runtime import ServiceSettings, build_service, consumes


async def main(bootstrap: str, topic: str, group: str) -> None:
    """Consumes topic until killed."""
    service = build_service(
        ServiceSettings(service_name="crashy", kafka_bootstrap=bootstrap), uses_mongo=False
    )
    router = KafkaRouter()

    @consumes(router, topic, group_id=group, session_timeout_ms=6000, heartbeat_interval_ms=1000)
    async def on_request_number(command: RequestNumber) -> None:
        if command.request_id.startswith("hang"):
            print(f"hanging {command.request_id}", flush=True)
            await asyncio.Event().wait()
        print(f"handled {command.request_id}", flush=True)

    service.include(router)
    await service.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
