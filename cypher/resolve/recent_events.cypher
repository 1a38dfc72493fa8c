// Resolve: an identity's latest events (each event once; only those where its
// identifiers are the subject), for its habits (usual hours and channels) and timing
// signals (machine-regular intervals suggest a bot).
// Parameters: $identity_id string, $limit integer
// Columns: at (epoch ms, null without a timestamp), channel ('unknown' when unset),
//   newest first.
MATCH (i:Identifier {identity_id: $identity_id})<-[o:OBSERVED]-(e:Event)
WHERE coalesce(o.role, 'subject') = 'subject'
WITH DISTINCT e
RETURN e.timestamp.epochMillis AS at, coalesce(e.channel, 'unknown') AS channel
ORDER BY at DESC
LIMIT $limit
