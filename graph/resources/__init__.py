"""Non-Python resources of the core (the Maven descriptor of the local Neo4j)."""
