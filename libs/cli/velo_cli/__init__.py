"""`velo`: the VeloConnect Numbers command line, a client of the gateway's HTTP API."""
