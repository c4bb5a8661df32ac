"""velo_inventory."""
