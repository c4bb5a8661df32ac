"""velo_portsip."""
