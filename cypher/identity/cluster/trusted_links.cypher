// Clustering (in-process back end, full run): the links of the trusted link graph:
// between identifiers that are not hubs, at least $min_weight heavy (what gds_project
// projects), each once, streamed.
// Parameters: $min_weight float
MATCH (a:Identifier)-[r:LINKED]->(b:Identifier)
WHERE NOT coalesce(a.hub, false) AND NOT coalesce(b.hub, false) AND r.weight >= $min_weight
RETURN elementId(a) AS a, elementId(b) AS b
