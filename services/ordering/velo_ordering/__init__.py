"""VeloConnect Numbers ordering service."""
