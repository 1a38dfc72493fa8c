// Identity profile, step 2: the identifiers of one identity, with the channels of the
// events that saw them as their subject (being named as a referrer does not count).
// Parameters: $identity_id string
// Columns: type, value, confidence, first_seen, last_seen (epoch ms: the driver's
//   date-time decoding costs more than the query), event_count, shared (bool),
//   channels (sorted list of distinct channels). One row per identifier, by type, value.
MATCH (i:Identifier {identity_id: $identity_id})
RETURN i.type AS type,
       i.value AS value,
       i.confidence AS confidence,
       i.first_seen.epochMillis AS first_seen,
       i.last_seen.epochMillis AS last_seen,
       i.event_count AS event_count,
       coalesce(i.shared, false) AS shared,
       COLLECT {
         MATCH (e:Event)-[o:OBSERVED]->(i)
         WHERE coalesce(o.role, 'subject') = 'subject'
         WITH DISTINCT coalesce(e.channel, 'unknown') AS channel
         RETURN channel ORDER BY channel
       } AS channels
ORDER BY type, value
