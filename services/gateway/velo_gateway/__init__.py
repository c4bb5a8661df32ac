"""velo_gateway."""
