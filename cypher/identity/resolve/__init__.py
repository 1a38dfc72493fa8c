"""Cypher files: resolve."""
