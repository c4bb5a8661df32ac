"""velo_sip_routing."""
