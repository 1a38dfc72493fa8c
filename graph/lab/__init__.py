"""Lab tools: the world simulator and evaluation (never imported by the API)."""
