"""Cypher files: analysts' queries, journeys."""
