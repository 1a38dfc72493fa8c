"""Cypher files: influence."""
