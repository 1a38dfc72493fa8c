// Clustering: the given identifiers are up to date again.
// Parameters: $ids list of identifier node ids
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
REMOVE i.changed
