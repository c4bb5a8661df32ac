"""velo_runtime."""
