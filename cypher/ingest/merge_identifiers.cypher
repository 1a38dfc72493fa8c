// Ingest step 2: upsert the identifiers seen by the new events of a batch.
// Rows are pre-aggregated per identifier and sorted by (type, value) to take locks
// in one order across concurrent writers.
// Parameters:
//   $identifiers list of {type, value, first_seen, last_seen (epoch milliseconds),
//                         count (new events that saw it), blocked (bool)}
// Times travel as integers: the driver's per-value datetime encoding costs more than
// the whole write.
// Every identifier touched is marked `changed`: the next clustering run recomputes
// the part of the graph around it.
// Returns: each identifier's node id, for the steps that follow, and whether it still
// lacks an identity (only those are candidates for incremental attachment).
UNWIND $identifiers AS r
WITH r, datetime({epochMillis: r.first_seen}) AS first, datetime({epochMillis: r.last_seen}) AS last
MERGE (i:Identifier {type: r.type, value: r.value})
  ON CREATE SET
    i.first_seen = first,
    i.last_seen = last,
    i.event_count = r.count,
    i.blocked = r.blocked,
    i.changed = true
  ON MATCH SET
    i.changed = true,
    i.first_seen = CASE WHEN first < i.first_seen THEN first ELSE i.first_seen END,
    i.last_seen = CASE WHEN last > i.last_seen THEN last ELSE i.last_seen END,
    i.event_count = i.event_count + r.count
RETURN r.type AS type, r.value AS value, elementId(i) AS id,
       i.identity_id IS NULL AND NOT i.blocked AND NOT coalesce(i.hub, false)
       AND NOT coalesce(i.shared, false) AS unassigned
