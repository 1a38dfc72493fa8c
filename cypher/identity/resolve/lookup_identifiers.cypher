// Resolve: find the given identifiers, the identity each belongs to, and for shared
// ones the identities that use them. The resolver runs this lookup inlined in
// resolve/resolve (keep the two alike); on its own it is the first half of the resolve
// benchmark's floor (bench/resolve_bench.py).
// Parameters: $identifiers list of {type, value} (normalised)
// Columns: type, value, identity_id (null: shared or not clustered yet), blocked,
//   shared (hub or boundary identifier), confidence (membership, null before clustering),
//   first_seen, last_seen (epoch ms), used_by (identity ids of a shared identifier, heaviest first,
//   at most 20), used_by_count (how many identities use it).
UNWIND $identifiers AS x
MATCH (i:Identifier {type: x.type, value: x.value})
RETURN i.type AS type, i.value AS value, i.identity_id AS identity_id, i.blocked AS blocked,
       coalesce(i.shared, false) OR coalesce(i.hub, false) AS shared,
       i.confidence AS confidence, i.first_seen.epochMillis AS first_seen,
       i.last_seen.epochMillis AS last_seen,
       COLLECT {
         MATCH (i)-[u:USED_BY]->(p:Identity)
         RETURN p.identity_id ORDER BY u.weight DESC, p.identity_id LIMIT 20
       } AS used_by,
       COUNT { (i)-[:USED_BY]->(:Identity) } AS used_by_count
