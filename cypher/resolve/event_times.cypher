// Resolve: when an identity's latest events happened (each event once), for timing
// signals (machine-regular intervals suggest a bot).
// Parameters: $identity_id string, $limit integer
// Columns: at (epoch ms), newest first.
MATCH (i:Identifier {identity_id: $identity_id})<-[o:OBSERVED]-(e:Event)
WHERE coalesce(o.role, 'subject') = 'subject'
WITH DISTINCT e
RETURN e.timestamp.epochMillis AS at
ORDER BY at DESC
LIMIT $limit
