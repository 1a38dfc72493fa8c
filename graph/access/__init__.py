"""API keys and roles (pure: no database, no HTTP)."""
