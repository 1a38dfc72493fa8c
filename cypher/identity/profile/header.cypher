// Identity profile, step 1: one identity's own properties, and where a merged one went.
// Also used step by step to follow a chain of merges (the caller guards against cycles).
// Parameters: $identity_id string
// Columns: identity_id, status ('active' when unset), merged_into (the `merged_into`
//   property, else the target of its latest MERGED_INTO link; null if neither), size,
//   cohesion, created_at, updated_at. No row: no such identity.
MATCH (p:Identity {identity_id: $identity_id})
RETURN p.identity_id AS identity_id,
       coalesce(p.status, 'active') AS status,
       coalesce(
         p.merged_into,
         COLLECT {
           MATCH (p)-[m:MERGED_INTO]->(q:Identity)
           RETURN q.identity_id ORDER BY m.at DESC LIMIT 1
         }[0]
       ) AS merged_into,
       p.size AS size,
       p.cohesion AS cohesion,
       p.created_at AS created_at,
       p.updated_at AS updated_at
