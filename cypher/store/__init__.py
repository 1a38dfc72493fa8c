"""Cypher files: admin."""
