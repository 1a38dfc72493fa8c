"""The one gateway to Neo4j: the Cypher catalog, the repository, the back ends."""
