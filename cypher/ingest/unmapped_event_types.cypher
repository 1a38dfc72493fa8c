// Ingest: the event types that mapped to no canonical type, per source, most frequent
// first (their events are stored with type 'event' and their own type as source_type).
// Parameters: none
// Columns: source (the events' source), source_type (the type as the source sent it),
//   count (events stored with it), first_seen, last_seen (when an ingest first and last
//   counted one, epoch milliseconds)
MATCH (t:UnmappedEventType)
RETURN t.source AS source, t.source_type AS source_type, t.count AS count,
       t.first_seen.epochMillis AS first_seen, t.last_seen.epochMillis AS last_seen
ORDER BY count DESC, source, source_type
