// Ingest step 4: add co-occurrence links between identifiers seen together.
// A link is stored once, from the smaller (type, value) to the larger, and read as
// undirected. Rows are pre-aggregated per pair and sorted to avoid lock cycles.
// Parameters:
//   $links list of {a_type, a_value, b_type, b_value, count, first_seen, last_seen,
//                   channels (list of strings), sources (list of strings)}
UNWIND $links AS l
MATCH (a:Identifier {type: l.a_type, value: l.a_value})
MATCH (b:Identifier {type: l.b_type, value: l.b_value})
MERGE (a)-[r:LINKED]->(b)
  ON CREATE SET
    r.count = l.count,
    r.first_seen = l.first_seen,
    r.last_seen = l.last_seen,
    r.channels = l.channels,
    r.sources = l.sources
  ON MATCH SET
    r.count = r.count + l.count,
    r.first_seen = CASE WHEN l.first_seen < r.first_seen THEN l.first_seen ELSE r.first_seen END,
    r.last_seen = CASE WHEN l.last_seen > r.last_seen THEN l.last_seen ELSE r.last_seen END,
    r.channels = r.channels + [c IN l.channels WHERE NOT c IN r.channels],
    r.sources = r.sources + [s IN l.sources WHERE NOT s IN r.sources]
