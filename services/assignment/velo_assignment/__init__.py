"""VeloConnect Numbers assignment service."""
