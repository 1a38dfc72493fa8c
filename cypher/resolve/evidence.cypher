// Resolve: the evidence tying the given identifiers to an identity: for each, its
// heaviest links to other members of the identity, and the latest events that saw
// both ends of each link.
// Parameters: $identifiers list of {type, value} (normalised), $identity_id string,
//   $links integer (links per identifier), $events integer (events per link)
// Columns: type, value (the given identifier), other_type, other_value, weight, count,
//   channels, first_seen, last_seen (epoch ms), events (list of {source, event_id,
//   timestamp (epoch ms), channel})
UNWIND $identifiers AS x
MATCH (i:Identifier {type: x.type, value: x.value})-[r:LINKED]-(n:Identifier)
WHERE n.identity_id = $identity_id
WITH x, i, r, n
ORDER BY coalesce(r.weight, 0.0) DESC, r.count DESC, n.type, n.value
WITH x, i, collect({r: r, n: n})[..$links] AS top
UNWIND top AS t
WITH x, i, t.r AS r, t.n AS n
RETURN x.type AS type, x.value AS value, n.type AS other_type, n.value AS other_value,
       r.weight AS weight, r.count AS count, r.channels AS channels,
       r.first_seen.epochMillis AS first_seen, r.last_seen.epochMillis AS last_seen,
       COLLECT {
         MATCH (i)<-[:OBSERVED]-(e:Event)-[:OBSERVED]->(n)
         RETURN {source: e.source, event_id: e.event_id, timestamp: e.timestamp.epochMillis,
                 channel: e.channel} AS event
         ORDER BY e.timestamp DESC LIMIT $events
       } AS events
