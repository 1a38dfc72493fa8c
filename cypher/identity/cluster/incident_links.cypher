// Clustering step 3: the links of the given identifiers, with their weight and the
// identity of the other end (for links that leave the recomputed region). A link
// between two given identifiers comes twice, once from each end.
// Parameters: $ids list of identifier node ids
UNWIND $ids AS id
MATCH (a) WHERE elementId(a) = id
MATCH (a)-[r:LINKED]-(b)
RETURN elementId(a) AS a, elementId(b) AS b, coalesce(r.weight, 0.0) AS weight,
       b.identity_id AS b_identity
