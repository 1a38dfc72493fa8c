// Clustering (full run): every co-occurrence link, streamed once (incident_links gives
// a link once from each end), with its weight.
// Parameters: none
MATCH (a:Identifier)-[r:LINKED]->(b:Identifier)
RETURN elementId(a) AS a, elementId(b) AS b, coalesce(r.weight, 0.0) AS weight
