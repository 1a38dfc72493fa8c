// Ingest step 6a: for the batch's identifiers that belong to no identity yet, the
// identities of the identifiers they are linked to (the evidence for attaching them).
// Parameters: $ids list of identifier node ids
UNWIND $ids AS id
MATCH (i:Identifier) WHERE elementId(i) = id
  AND i.identity_id IS NULL AND NOT coalesce(i.blocked, false)
OPTIONAL MATCH (i)-[:LINKED]-(n:Identifier)
WHERE n.identity_id IS NOT NULL AND NOT coalesce(n.blocked, false)
RETURN id, collect(DISTINCT n.identity_id) AS identities
