"""velo_didww."""
