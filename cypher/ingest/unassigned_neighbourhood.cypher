// Ingest step 6a: for the batch's identifiers that belong to no identity yet, the
// identities of the identifiers they are linked to (the evidence for attaching them).
// Parameters: $ids list of identifier node ids
// Node-id lookups carry no label: with a label the planner may prefer a label scan
// (its statistics say the label is small, e.g. on a fresh database), one per row.
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
WITH id, i
WHERE i.identity_id IS NULL AND NOT coalesce(i.blocked, false)
OPTIONAL MATCH (i)-[:LINKED]-(n:Identifier)
WHERE n.identity_id IS NOT NULL AND NOT coalesce(n.blocked, false)
RETURN id, collect(DISTINCT n.identity_id) AS identities
