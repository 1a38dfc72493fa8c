// Clustering step 6: each identifier's identity (null for shared ones), membership
// confidence and whether it is shared by several identities.
// Parameters: $rows list of {id (node id), identity_id (string or null),
//             confidence (float or null), shared (bool)}
UNWIND $rows AS r
MATCH (i) WHERE elementId(i) = r.id
SET i.identity_id = r.identity_id, i.confidence = r.confidence, i.shared = r.shared
