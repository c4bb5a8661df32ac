"""VeloConnect Numbers audit service."""
