"""Cypher files: the analysts' query library (read-only, one query per file)."""
