"""The SRE sees requests not yet finished by status and age, read from ordering's own database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from velo_ordering.metrics_probe import OpenRequests
from velo_runtime import ServiceSettings, build_service

pytestmark = pytest.mark.infra


async def test_open_requests_are_counted_by_status_and_age_and_finished_ones_are_not(
    mongo_db: AsyncDatabase[dict[str, object]],
) -> None:
    now = datetime.now(UTC)
    docs = [
        ("a", "requested", timedelta(seconds=10)),
        ("b", "ordering", timedelta(minutes=2)),
        ("c", "ordering", timedelta(minutes=20)),
        ("d", "approved", timedelta(hours=2)),
        ("e", "active", timedelta(hours=3)),
        ("f", "rejected", timedelta(hours=3)),
        ("g", "failed", timedelta(hours=3)),
    ]
    await mongo_db["requests"].insert_many(
        [{"_id": key, "status": status, "created_at": now - age} for key, status, age in docs]
    )
    service = build_service(ServiceSettings(service_name="ordering"), uses_mongo=False)
    probe = OpenRequests(mongo_db["requests"], service)  # type: ignore[arg-type]
    await probe.measure()

    def open_(status: str, older_than: int) -> float | None:
        labels = {"status": status, "older_than_seconds": str(older_than)}
        return service.metrics.registry.get_sample_value("velo_requests_open", labels)

    assert [open_("ordering", age) for age in (0, 60, 300, 900, 3600)] == [2, 2, 1, 1, 0]
    assert [open_("approved", age) for age in (0, 3600)] == [1, 1]
    assert [open_("requested", age) for age in (0, 60)] == [1, 0]
    assert open_("active", 0) is None and open_("failed", 0) is None
    oldest = service.metrics.registry.get_sample_value(
        "velo_requests_open_oldest_age_seconds", {"status": "approved"}
    )
    assert oldest is not None and 7200 <= oldest < 7300
