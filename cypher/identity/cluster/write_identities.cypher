// Clustering step 6: create or refresh the identities a run produced.
// Parameters:
//   $run  string, id of this run
//   $rows list of {identity_id, size (members), cohesion (float in [0, 1])}
UNWIND $rows AS r
MERGE (p:Identity {identity_id: r.identity_id})
  ON CREATE SET p.created_at = datetime()
SET p.status = 'active', p.size = r.size, p.cohesion = r.cohesion, p.run = $run,
    p.updated_at = datetime()
REMOVE p.merged_into
