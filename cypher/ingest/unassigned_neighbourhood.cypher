// Ingest step 6a: for the batch's identifiers that belong to no identity yet, the
// identities of the identifiers they are linked to (the evidence for attaching them).
// Parameters: $identifiers list of {type, value}
UNWIND $identifiers AS x
MATCH (i:Identifier {type: x.type, value: x.value})
WHERE i.identity_id IS NULL AND NOT coalesce(i.blocked, false)
OPTIONAL MATCH (i)-[:LINKED]-(n:Identifier)
WHERE n.identity_id IS NOT NULL AND NOT coalesce(n.blocked, false)
RETURN i.type AS type, i.value AS value, collect(DISTINCT n.identity_id) AS identities
