"""VeloConnect Numbers sip-routing service."""
