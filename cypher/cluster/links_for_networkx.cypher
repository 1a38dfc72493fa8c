// Clustering (networkx back end): every co-occurrence link as a pair of node ids.
// Blocked identifiers never get links, so they stay alone.
MATCH (a:Identifier)-[:LINKED]->(b:Identifier)
RETURN elementId(a) AS a, elementId(b) AS b
