// Identity profile, step 3: the habits of one identity over its events (each event
// once, however many of its identifiers it saw; only events where they are the subject).
// Parameters: $identity_id string
// Columns: channel ('unknown' when unset), hour (0-23, in UTC; null without a
//   timestamp), events (how many events on that channel at that hour).
MATCH (i:Identifier {identity_id: $identity_id})<-[o:OBSERVED]-(e:Event)
WHERE coalesce(o.role, 'subject') = 'subject'
WITH DISTINCT e
WITH coalesce(e.channel, 'unknown') AS channel,
     ((e.timestamp.epochSeconds % 86400) + 86400) % 86400 / 3600 AS hour
RETURN channel, hour, count(*) AS events
ORDER BY channel, hour
