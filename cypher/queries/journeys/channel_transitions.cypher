// @purpose How people move between channels: for every identity, each change of
//   channel from one of its events to its next one in [since, until), counted over all
//   identities (e.g. store -> web 120). Same-channel successions are not counted.
// @param since datetime "2026-03-01T00:00:00Z"  first instant included
// @param until datetime "2026-06-01T00:00:00Z"  first instant excluded
// @column from_channel  channel of the earlier event
// @column to_channel    channel of the next event of the same identity
// @column transitions   how many times that change happened
// @column identities    distinct identities that made it
MATCH (e:Event)-[o:OBSERVED]->(i:Identifier)
WHERE coalesce(o.role, 'subject') = 'subject' AND e.timestamp >= $since AND e.timestamp < $until AND i.identity_id IS NOT NULL
WITH DISTINCT i.identity_id AS identity_id, e
ORDER BY e.timestamp, e.source, e.event_id
WITH identity_id, collect(e.channel) AS channels
UNWIND range(0, size(channels) - 2) AS k
WITH identity_id, channels[k] AS from_channel, channels[k + 1] AS to_channel
WHERE from_channel <> to_channel
RETURN from_channel, to_channel, count(*) AS transitions,
       count(DISTINCT identity_id) AS identities
ORDER BY transitions DESC, from_channel, to_channel
