"""velo_devinfra."""
