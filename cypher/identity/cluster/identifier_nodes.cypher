// Clustering step 3: the given identifiers, with what the run decides from: type and
// key (identity ids derive from the smallest key), whether it is a hub, and its
// identity before this run.
// Parameters: $ids list of identifier node ids
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
RETURN elementId(i) AS id, i.type AS type, i.type + ':' + i.value AS key,
       coalesce(i.hub, false) AS hub, i.identity_id AS previous
