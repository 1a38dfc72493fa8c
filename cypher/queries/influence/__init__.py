"""Cypher files: analysts' queries, influence."""
