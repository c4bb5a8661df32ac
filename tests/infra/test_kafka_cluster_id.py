"""Kafka cluster ids the storage formatter always accepts (one started with '-' and was refused)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from velo_devinfra.kafka import KafkaNode, ensure_kafka_jars, new_cluster_id
from velo_devinfra.stack import free_port

CLUSTER_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}")


def test_generated_cluster_ids_are_16_random_bytes_that_never_start_with_a_dash() -> None:
    ids = [new_cluster_id() for _ in range(1000)]

    assert all(CLUSTER_ID.fullmatch(cluster_id) for cluster_id in ids)
    assert all(len(base64.urlsafe_b64decode(cluster_id + "==")) == 16 for cluster_id in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.infra
@pytest.mark.parametrize("cluster_id", [None, "-Ab3xZkQR9uWv0Lp7NhYtQ"])
def test_storage_format_accepts_the_cluster_id(tmp_path: Path, cluster_id: str | None) -> None:
    node = KafkaNode(tmp_path, free_port(), free_port())

    node.format_storage(ensure_kafka_jars(), cluster_id)

    meta = (node.log_dir / "meta.properties").read_text()
    found = re.search(r"^cluster\.id=(.+)$", meta, re.MULTILINE)
    assert found is not None
    assert len(base64.urlsafe_b64decode(found[1] + "==")) == 16
    assert found[1] == (cluster_id or found[1])
