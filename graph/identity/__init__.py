"""Identities: the clustering rules (pure), clustering, resolution, profiles."""
