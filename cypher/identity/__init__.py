"""Cypher files: identity."""
