"""velo_contracts."""
