"""Helpers shared by the test suites: waiting for conditions, reading topics."""

from velotest.waiting import eventually, read_all, read_topic

__all__ = ["eventually", "read_all", "read_topic"]
