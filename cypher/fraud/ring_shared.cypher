// Rings API: the shared identifiers used by two or more members of a ring.
// Parameters: $ring_id string
// Returns: type, value, identities (members using it); most used first
MATCH (g:Ring {ring_id: $ring_id})<-[:IN_RING]-(p:Identity)<-[:USED_BY]-(s:Identifier)
WITH s, count(DISTINCT p) AS identities
WHERE identities >= 2
RETURN s.type AS type, s.value AS value, identities
ORDER BY identities DESC, type, value
