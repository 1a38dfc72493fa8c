// Clustering step 6: the history of identities. A merged identity points at the one
// it was merged into (and answers with it); a part split off an identity points at
// the identity it came from.
// Parameters:
//   $run  string, id of this run
//   $rows list of {kind ("merged" or "split"), identity_id, other_id}
UNWIND $rows AS r
MATCH (a:Identity {identity_id: r.identity_id})
MATCH (b:Identity {identity_id: r.other_id})
FOREACH (_ IN CASE WHEN r.kind = 'merged' THEN [1] ELSE [] END |
  SET a.status = 'merged', a.merged_into = b.identity_id, a.size = 0,
      a.updated_at = datetime(), a.run = $run
  CREATE (a)-[:MERGED_INTO {at: datetime(), run: $run}]->(b))
FOREACH (_ IN CASE WHEN r.kind = 'split' THEN [1] ELSE [] END |
  CREATE (a)-[:SPLIT_FROM {at: datetime(), run: $run}]->(b))
