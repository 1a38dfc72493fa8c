// Ingest: which events of a batch are already in the graph (the unique key
// (source, event_id)), so that only the others are written.
// Parameters: $events list of {source, event_id}
// Returns: the position in $events of each event found.
UNWIND range(0, size($events) - 1) AS k
WITH k, $events[k] AS e
MATCH (ev:Event {source: e.source, event_id: e.event_id})
RETURN k
