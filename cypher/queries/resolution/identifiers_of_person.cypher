// @purpose All identifiers of a person: the members of an identity, by type, oldest
//   first. A merged id is followed along MERGED_INTO to the identity it lives on as.
// @param identity_id string "id_0123456789abcdef0123"  the identity (public id, may be a merged one)
// @column identity_id  the identity the identifiers belong to now (after merges)
// @column type         the identifier type (email, phone, device, cookie, card...)
// @column value        the normalised value
// @column first_seen   time of the first event that saw it
// @column last_seen    time of the latest event that saw it
// @column event_count  how many events saw it
// @column confidence   membership confidence in [0, 1]
MATCH (p:Identity {identity_id: $identity_id})
OPTIONAL MATCH (p)-[:MERGED_INTO*1..20]->(now:Identity)
WHERE now.status <> 'merged'
WITH coalesce(now.identity_id, p.identity_id) AS current
LIMIT 1
MATCH (i:Identifier {identity_id: current})
RETURN current AS identity_id, i.type AS type, i.value AS value,
       i.first_seen AS first_seen, i.last_seen AS last_seen,
       i.event_count AS event_count, i.confidence AS confidence
ORDER BY type, first_seen, value
