// Clustering (GDS back end): project the trusted link graph: identifiers that are not
// hubs, and the links between them at least $min_weight heavy, undirected.
// Parameters: $graph_name string, $min_weight float
MATCH (a:Identifier)
WHERE NOT coalesce(a.hub, false)
OPTIONAL MATCH (a)-[r:LINKED]->(b:Identifier)
WHERE NOT coalesce(b.hub, false) AND r.weight >= $min_weight
RETURN gds.graph.project($graph_name, a, b, {}, {undirectedRelationshipTypes: ['*']}) AS graph
