// Resolve: the devices, phones and cards an identity shares with other identities, and
// when each of those identities was first seen (a burst of new identities around one
// shared device or card is the mark of a fraud ring).
// Parameters: $identity_id string, $max_users integer (ignore identifiers used by more:
//   kiosks and other public hubs)
// Columns: type, value, users (list of {identity_id, first_seen (epoch ms)}).
MATCH (i:Identifier)-[:USED_BY]->(:Identity {identity_id: $identity_id})
WHERE i.type IN ['device', 'phone', 'card']
  AND COUNT { (i)-[:USED_BY]->(:Identity) } <= $max_users
RETURN i.type AS type, i.value AS value,
       COLLECT {
         MATCH (i)-[:USED_BY]->(p:Identity)
         MATCH (m:Identifier {identity_id: p.identity_id})
         WITH p.identity_id AS identity_id, min(m.first_seen).epochMillis AS first_seen
         RETURN {identity_id: identity_id, first_seen: first_seen}
       } AS users
