// Ingest step 2: upsert the identifiers seen by the new events of a batch.
// Rows are pre-aggregated per identifier and sorted by (type, value) to take locks
// in one order across concurrent writers.
// Parameters:
//   $identifiers list of {type, value, first_seen (datetime), last_seen (datetime),
//                         count (new events that saw it), blocked (bool)}
// Returns: each identifier's node id, for the steps that follow.
UNWIND $identifiers AS r
MERGE (i:Identifier {type: r.type, value: r.value})
  ON CREATE SET
    i.first_seen = r.first_seen,
    i.last_seen = r.last_seen,
    i.event_count = r.count,
    i.blocked = r.blocked
  ON MATCH SET
    i.first_seen = CASE WHEN r.first_seen < i.first_seen THEN r.first_seen ELSE i.first_seen END,
    i.last_seen = CASE WHEN r.last_seen > i.last_seen THEN r.last_seen ELSE i.last_seen END,
    i.event_count = i.event_count + r.count
RETURN r.type AS type, r.value AS value, elementId(i) AS id
