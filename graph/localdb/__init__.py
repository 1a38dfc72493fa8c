"""The project-managed local Neo4j: versions, assembly, configuration, process."""
