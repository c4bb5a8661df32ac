"""velo_assignment."""
