// Clustering step 3: every identifier, with what the run decides from: its type and
// key (identity ids derive from the smallest key), whether it is a hub, and its
// identity before this run.
MATCH (i:Identifier)
RETURN elementId(i) AS id, i.type AS type, i.type + ':' + i.value AS key,
       coalesce(i.hub, false) AS hub, i.identity_id AS previous
