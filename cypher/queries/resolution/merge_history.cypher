// @purpose The merge and split history around an identity id: where a merged id went
//   (the chain of MERGED_INTO), the ids merged into it, the identities it was split off
//   and the parts split off it, oldest first.
// @param identity_id string "id_0123456789abcdef0123"  the identity (public id, active or merged)
// @column relation     merged_into (this id now lives on as other_id, `step` hops away),
//   merged_from (other_id was merged into this one), split_from (this one was split off
//   other_id) or split_into (other_id was split off this one)
// @column step         hops along the chain (1 for direct links)
// @column other_id     the identity at the other end
// @column other_status that identity's status (active, merged, retired)
// @column at           when the merge or split happened
// @column run          the clustering run that did it
MATCH (p:Identity {identity_id: $identity_id})
CALL (p) {
  MATCH path = (p)-[:MERGED_INTO*1..20]->(o:Identity)
  WITH o, path, last(relationships(path)) AS m
  RETURN 'merged_into' AS relation, length(path) AS step, o, m.at AS at, m.run AS run
  UNION ALL
  MATCH (o:Identity)-[m:MERGED_INTO]->(p)
  RETURN 'merged_from' AS relation, 1 AS step, o, m.at AS at, m.run AS run
  UNION ALL
  MATCH (p)-[s:SPLIT_FROM]->(o:Identity)
  RETURN 'split_from' AS relation, 1 AS step, o, s.at AS at, s.run AS run
  UNION ALL
  MATCH (o:Identity)-[s:SPLIT_FROM]->(p)
  RETURN 'split_into' AS relation, 1 AS step, o, s.at AS at, s.run AS run
}
RETURN relation, step, o.identity_id AS other_id, o.status AS other_status, at, run
ORDER BY at, relation, step, other_id
