"""Helpers shared by the test suites: waiting for conditions, reading topics."""

from velotest.ports import free_offset
from velotest.waiting import eventually, read_all, read_topic

__all__ = ["eventually", "free_offset", "read_all", "read_topic"]
