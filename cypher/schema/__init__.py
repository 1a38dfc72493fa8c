"""Cypher files: schema."""
