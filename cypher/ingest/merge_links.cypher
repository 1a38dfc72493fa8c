// Ingest step 4: add co-occurrence links between identifiers seen together.
// A link is stored once, from the smaller (type, value) to the larger, and read as
// undirected. Rows are pre-aggregated per pair and sorted to avoid lock cycles.
// Parameters:
//   $links list of {a, b (identifier node ids), count, first_seen, last_seen,
//                   channels (list of strings), sources (list of strings)}
UNWIND $links AS l
MATCH (a:Identifier) WHERE elementId(a) = l.a
MATCH (b:Identifier) WHERE elementId(b) = l.b
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
