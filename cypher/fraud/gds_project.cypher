// Detection (GDS back end): project the identity graph: two active identities are
// linked when they use one shared identifier of the given types that at most
// $max_fanout identities use. Undirected.
// Parameters: $graph_name string, $types list of strings, $max_fanout int
MATCH (s:Identifier)-[:USED_BY]->(p:Identity {status: 'active'})
WHERE s.type IN $types
WITH s, collect(DISTINCT p) AS users
WHERE size(users) >= 2 AND size(users) <= $max_fanout
UNWIND users AS a
UNWIND users AS b
WITH a, b
WHERE elementId(a) < elementId(b)
RETURN gds.graph.project($graph_name, a, b, {}, {undirectedRelationshipTypes: ['*']}) AS graph
