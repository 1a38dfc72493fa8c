// Identity profile, step 5: the history of one identity: the ids merged into it, the
// identities it was split off, and the parts split off it, each with the time.
// Parameters: $identity_id string
// Columns: merged_in, split_from, split_into: lists of {identity_id, at}, oldest first.
MATCH (p:Identity {identity_id: $identity_id})
RETURN COLLECT {
         MATCH (o:Identity)-[m:MERGED_INTO]->(p)
         RETURN {identity_id: o.identity_id, at: m.at} AS entry
         ORDER BY m.at, o.identity_id
       } AS merged_in,
       COLLECT {
         MATCH (p)-[s:SPLIT_FROM]->(o:Identity)
         RETURN {identity_id: o.identity_id, at: s.at} AS entry
         ORDER BY s.at, o.identity_id
       } AS split_from,
       COLLECT {
         MATCH (o:Identity)-[s:SPLIT_FROM]->(p)
         RETURN {identity_id: o.identity_id, at: s.at} AS entry
         ORDER BY s.at, o.identity_id
       } AS split_into
