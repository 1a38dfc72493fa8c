// Health check: the server answers and says which Neo4j it is.
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
