"""VeloConnect Numbers inventory service."""
