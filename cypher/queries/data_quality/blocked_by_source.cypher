// @purpose Sources sending the most junk. Rejects are NOT stored in the graph (rejected
//   records go to the ingest rejects file, see `idgraph ingest`), so this uses what the
//   graph has: per source, the events that carried a blocked (blocklisted) value and the
//   distinct blocked identifiers they sent, with the share of that source's events.
// @column source               the system that sent the events
// @column events               events of that source in the graph
// @column events_with_blocked  of those, events carrying at least one blocked value
// @column blocked_identifiers  distinct blocked identifiers the source sent
// @column share                events_with_blocked / events
MATCH (e:Event)
WITH e.source AS source, count(e) AS events
CALL (source) {
  MATCH (e:Event {source: source})-[:OBSERVED]->(i:Identifier)
  WHERE i.blocked = true
  RETURN count(DISTINCT e) AS events_with_blocked, count(DISTINCT i) AS blocked_identifiers
}
RETURN source, events, events_with_blocked, blocked_identifiers,
       toFloat(events_with_blocked) / events AS share
ORDER BY events_with_blocked DESC, share DESC, source
