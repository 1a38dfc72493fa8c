"""Cypher files: analysts' queries, data quality."""
