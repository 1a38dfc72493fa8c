// Clustering step 3: the links of the given identifiers, with their weight, sightings
// and the identity of the other end (for links that leave the recomputed region). A
// link between two given identifiers comes twice, once from each end.
// Parameters: $ids list of identifier node ids
// Columns: a (given), b (node ids), weight, b_identity, first_seen, last_seen (epoch
//   ms), count
UNWIND $ids AS id
MATCH (a) WHERE elementId(a) = id
MATCH (a)-[r:LINKED]-(b)
RETURN elementId(a) AS a, elementId(b) AS b, coalesce(r.weight, 0.0) AS weight,
       b.identity_id AS b_identity, r.first_seen.epochMillis AS first_seen,
       r.last_seen.epochMillis AS last_seen, r.count AS count
