// Ingest step 1: create the events of a batch that are not in the graph yet.
// Events are deduplicated by (source, event_id): MERGE on the unique constraint
// serialises concurrent writers, and only events created by this batch are returned,
// so that counts and link weights are added once however often an event arrives.
// Parameters:
//   $batch  string, a unique id of this write (e.g. "b-4f2a...")
//   $events list of {idx, source, event_id, timestamp (RFC 3339 string, its offset kept),
//                    channel, type, attributes (JSON string)}
// Returns: idx and node id of each event this batch created.
UNWIND $events AS e
MERGE (ev:Event {source: e.source, event_id: e.event_id})
  ON CREATE SET
    ev.timestamp = datetime(e.timestamp),
    ev.channel = e.channel,
    ev.type = e.type,
    ev.attributes = e.attributes,
    ev.batch = $batch,
    ev.ingested_at = datetime()
WITH e, ev
WHERE ev.batch = $batch
RETURN e.idx AS idx, elementId(ev) AS id
