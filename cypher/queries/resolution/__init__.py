"""Cypher files: analysts' queries, resolution."""
