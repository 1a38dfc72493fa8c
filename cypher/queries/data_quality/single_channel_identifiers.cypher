// @purpose Identifiers of one type seen on only one channel (e.g. e-mails only ever
//   seen in shops), most used first.
// @param identifier_type string "email"  the identifier type to look at
// @column type         the identifier type
// @column value        the normalised value
// @column channel      the only channel its events came from
// @column events       events that saw it
// @column identity_id  the identity it belongs to (null: shared or unassigned)
MATCH (i:Identifier {type: $identifier_type})
WITH i, COLLECT { MATCH (e:Event)-[:OBSERVED]->(i) RETURN DISTINCT e.channel } AS channels
WHERE size(channels) = 1
RETURN i.type AS type, i.value AS value, channels[0] AS channel,
       i.event_count AS events, i.identity_id AS identity_id
ORDER BY events DESC, value
