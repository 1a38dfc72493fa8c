// Ingest step 6a: for the batch's identifiers that belong to no identity yet, the
// identities of the identifiers they are linked to (the evidence for attaching them).
// Parameters: $ids list of identifier node ids
// Node-id lookups carry no label, and the neighbours are read in a subquery bound to
// each identifier: on a database that starts empty, the planner's first plan may
// otherwise scan every identifier for each row (a plan cached while the graph was small).
UNWIND $ids AS id
MATCH (i) WHERE elementId(i) = id
WITH id, i
WHERE i.identity_id IS NULL AND NOT coalesce(i.blocked, false)
  AND NOT coalesce(i.hub, false) AND NOT coalesce(i.shared, false)
RETURN id, COLLECT {
  MATCH (i)-[:LINKED]-(n)
  WHERE n.identity_id IS NOT NULL AND NOT coalesce(n.blocked, false)
  RETURN DISTINCT n.identity_id
} AS identities
