"""Cypher files: cluster."""
