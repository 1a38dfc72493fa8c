// Clustering (networkx back end): write the connected component of each identifier.
// Parameters: $rows list of {id (elementId), component (integer)}
UNWIND $rows AS r
MATCH (i:Identifier) WHERE elementId(i) = r.id
SET i.component = r.component
