// Ingest: one batch of new events and everything they saw, in one statement.
// Events are created (not merged): the caller only sends events it believes new; one
// already in the graph fails the statement on the unique constraint (source, event_id),
// and the caller then sends only those `ingest/existing_events` does not find.
// Rows refer to each other by position (an observation's event is events[o[0]]): no
// node ids travel back and forth, and each node is found once.
// Identifiers are sorted by (type, value) and links by pair, so that concurrent writers
// take locks in one order. Times travel as epoch milliseconds (the driver's date-time
// encoding costs more than the write).
// Parameters, each row a list (no map keys to pack and unpack for every row):
//   $events       [source, event_id, timestamp (RFC 3339 string, offset kept), channel,
//                  type (canonical, graph/model/event_types.py), attributes (JSON string,
//                  canonical names), source_type (the type as the source sent it; null
//                  when it is the canonical type: no property), source_attributes (JSON
//                  string of the attributes as sent; null when no name was changed)]
//   $identifiers  [type, value, first_seen, last_seen (epoch ms), count (new events
//                  that saw it), blocked (bool)]
//   $observations [event position, identifier position, role]
//                   role: null for a subject (an identifier of the event's person: no
//                   property is stored, readers take a missing role as 'subject', and
//                   the relationship needs no property record) or "referrer"
//   $links        [a, b (identifier positions, a's key < b's), count, first_seen,
//                  last_seen (epoch ms), channels, sources (lists of strings)]
//   $referrals    [a (referrer position), b (referred position), at (epoch ms), source,
//                  event_id]
//   $unmapped     [source, source_type, count]: the batch's events whose type maps to no
//                  canonical one (stored with type 'event'), sorted; each adds to the
//                  count of (:UnmappedEventType {source, source_type, count, first_seen,
//                  last_seen}) (first and last: the transaction times that counted it).
//                  Usually empty, so no batch takes that node's lock.
// Every identifier touched is marked `changed`: the next clustering run recomputes the
// part of the graph around it. Each touch also moves its `change_stamp` on (a counter,
// under the node's lock): a run clears the flag only where the stamp is still the one
// it read, so a touch during a run is not lost.
// Returns: one row, `unassigned`: for each identifier of the batch that still belongs
// to no identity (and is not blocked, a hub or shared), [position, node id, identity ids
// of the identifiers it is linked to]: the evidence for attaching it at once.
CALL {
  UNWIND range(0, size($events) - 1) AS k
  WITH k, $events[k] AS e
  CREATE (ev:Event {
    source: e[0],
    event_id: e[1],
    timestamp: datetime(e[2]),
    channel: e[3],
    type: e[4],
    attributes: e[5],
    source_type: e[6],
    source_attributes: e[7],
    ingested_at: datetime.transaction()
  })
  WITH k, ev ORDER BY k
  RETURN collect(ev) AS events
}
CALL {
  UNWIND range(0, size($identifiers) - 1) AS k
  WITH k, $identifiers[k] AS r
  WITH k, r, datetime({epochMillis: r[2]}) AS first, datetime({epochMillis: r[3]}) AS last
  MERGE (i:Identifier {type: r[0], value: r[1]})
    ON CREATE SET
      i.first_seen = first,
      i.last_seen = last,
      i.event_count = r[4],
      i.blocked = r[5],
      i.changed = true,
      i.change_stamp = 1
    ON MATCH SET i.event_count = i.event_count + r[4],
      i.change_stamp = coalesce(i.change_stamp, 0) + 1
  // On a known identifier, write only what changes: a SET to the same value still
  // costs the statement its evaluation and the record a change.
  SET (CASE WHEN i.changed IS NULL OR NOT i.changed THEN i END).changed = true,
      (CASE WHEN first < i.first_seen THEN i END).first_seen = first,
      (CASE WHEN last > i.last_seen THEN i END).last_seen = last
  WITH k, i ORDER BY k
  RETURN collect(i) AS nodes
}
CALL (events, nodes) {
  UNWIND $observations AS o
  WITH events[o[0]] AS ev, nodes[o[1]] AS i, o[2] AS role
  CREATE (ev)-[:OBSERVED {role: role}]->(i)
}
CALL (nodes) {
  UNWIND $links AS l
  WITH nodes[l[0]] AS a, nodes[l[1]] AS b, l[2] AS count,
       datetime({epochMillis: l[3]}) AS first, datetime({epochMillis: l[4]}) AS last,
       l[5] AS channels, l[6] AS sources
  MERGE (a)-[r:LINKED]->(b)
    ON CREATE SET
      r.count = count,
      r.first_seen = first,
      r.last_seen = last,
      r.channels = channels,
      r.sources = sources
    ON MATCH SET r.count = r.count + count
  // On a known link, write only what changes (most batches bring no new channel or
  // source, and no earlier first sighting).
  SET (CASE WHEN first < r.first_seen THEN r END).first_seen = first,
      (CASE WHEN last > r.last_seen THEN r END).last_seen = last,
      (CASE WHEN any(c IN channels WHERE NOT c IN r.channels) THEN r END).channels =
        r.channels + [c IN channels WHERE NOT c IN r.channels],
      (CASE WHEN any(s IN sources WHERE NOT s IN r.sources) THEN r END).sources =
        r.sources + [s IN sources WHERE NOT s IN r.sources]
}
CALL (nodes) {
  UNWIND $referrals AS x
  WITH nodes[x[0]] AS a, nodes[x[1]] AS b, x
  MERGE (a)-[ref:REFERRED {source: x[3], event_id: x[4]}]->(b)
    ON CREATE SET ref.at = datetime({epochMillis: x[2]})
}
CALL {
  UNWIND $unmapped AS u
  MERGE (t:UnmappedEventType {source: u[0], source_type: u[1]})
    ON CREATE SET t.count = u[2], t.first_seen = datetime.transaction(),
      t.last_seen = datetime.transaction()
    ON MATCH SET t.count = t.count + u[2], t.last_seen = datetime.transaction()
}
CALL (nodes) {
  UNWIND range(0, size(nodes) - 1) AS k
  WITH k, nodes[k] AS i
  WHERE i.identity_id IS NULL AND NOT i.blocked
    AND NOT coalesce(i.hub, false) AND NOT coalesce(i.shared, false)
  RETURN collect([k, elementId(i), COLLECT {
    MATCH (i)-[:LINKED]-(n)
    WHERE n.identity_id IS NOT NULL AND NOT coalesce(n.blocked, false)
    RETURN DISTINCT n.identity_id
  }]) AS unassigned
}
RETURN unassigned
