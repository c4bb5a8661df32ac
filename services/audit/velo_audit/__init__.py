"""velo_audit."""
