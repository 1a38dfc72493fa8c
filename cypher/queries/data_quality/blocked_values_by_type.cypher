// @purpose Blocked (blocklisted junk) values by identifier type: how many distinct
//   values and how many events carried them. Rejected records (invalid values, bad
//   events) are not in the graph: they go to the ingest rejects file.
// @column type            the identifier type
// @column blocked_values  distinct blocked values of that type
// @column events          events that carried one of them
// @column values_sample   up to 5 of the values, most frequent first
MATCH (i:Identifier)
WHERE i.blocked = true
WITH i ORDER BY i.event_count DESC, i.value
WITH i.type AS type, count(i) AS blocked_values, sum(coalesce(i.event_count, 0)) AS events,
     collect(i.value)[..5] AS values_sample
RETURN type, blocked_values, events, values_sample
ORDER BY events DESC, type
