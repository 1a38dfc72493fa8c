"""Cypher files: analysts' queries, fraud."""
