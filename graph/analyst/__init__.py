"""The analysts' read-only Cypher: the query library, the read-only gate, running."""
