"""VeloConnect Numbers gateway service."""
