"""Operators' tools: `velo-dlq` lists, shows, replays (once) and discards dead letters."""
