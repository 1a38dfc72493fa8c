// Rings API: the members' events in time order (the first $limit).
// Parameters: $ring_id string, $limit int
// Returns: at (epoch ms), identity_id, type, channel
MATCH (g:Ring {ring_id: $ring_id})<-[:IN_RING]-(p:Identity)
MATCH (:Identifier {identity_id: p.identity_id})<-[o:OBSERVED]-(e:Event)
WHERE coalesce(o.role, 'subject') = 'subject'
WITH DISTINCT p.identity_id AS identity_id, e
RETURN e.timestamp.epochMillis AS at, identity_id, e.type AS type, e.channel AS channel
ORDER BY at, identity_id, type
LIMIT $limit
