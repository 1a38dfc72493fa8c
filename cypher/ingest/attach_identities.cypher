// Ingest step 6b: attach new identifiers to an identity at once when the evidence is
// unambiguous (their links point at exactly one identity, or at none: a new person).
// The next `idgraph cluster` recomputes everything and may revise these.
// Identities are locked in id order, as identifiers are in key order, so that two
// batches written at once wait for each other instead of deadlocking.
// Parameters: $rows list of {id (identifier node id), identity_id}
UNWIND $rows AS r
MATCH (i) WHERE elementId(i) = r.id
WITH r, i
WHERE i.identity_id IS NULL
SET i.identity_id = r.identity_id
WITH r.identity_id AS identity_id, count(i) AS added
ORDER BY identity_id
MERGE (p:Identity {identity_id: identity_id})
  ON CREATE SET p.created_at = datetime(), p.size = 0, p.run = 'incremental'
SET p.size = p.size + added, p.updated_at = datetime()
