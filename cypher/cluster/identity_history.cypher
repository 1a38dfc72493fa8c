// Identity history: what an id became (merged into) and where its parts came from.
// Parameters: $identity_id string
MATCH (p:Identity {identity_id: $identity_id})
OPTIONAL MATCH (p)-[m:MERGED_INTO]->(into:Identity)
OPTIONAL MATCH (p)<-[mf:MERGED_INTO]-(absorbed:Identity)
OPTIONAL MATCH (p)-[s:SPLIT_FROM]->(parent:Identity)
OPTIONAL MATCH (p)<-[sf:SPLIT_FROM]-(child:Identity)
RETURN p.identity_id AS identity_id, coalesce(p.status, 'active') AS status,
       p.merged_into AS merged_into, p.created_at AS created_at,
       collect(DISTINCT {identity_id: absorbed.identity_id, at: mf.at}) AS absorbed,
       collect(DISTINCT {identity_id: parent.identity_id, at: s.at}) AS split_from,
       collect(DISTINCT {identity_id: child.identity_id, at: sf.at}) AS split_into
