"""Cypher files: ingest."""
