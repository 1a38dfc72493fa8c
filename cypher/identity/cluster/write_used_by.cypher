// Clustering step 6: a shared identifier (hub, boundary device or phone) is linked to
// every identity that uses it, with the weight of its links into that identity.
// Parameters: $rows list of {id (identifier node id), identity_id, weight}
UNWIND $rows AS r
MATCH (i) WHERE elementId(i) = r.id
MATCH (p:Identity {identity_id: r.identity_id})
MERGE (i)-[u:USED_BY]->(p)
SET u.weight = r.weight
