"""velo_ordering."""
