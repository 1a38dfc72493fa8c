// Ingest step 4: add co-occurrence links between identifiers seen together.
// A link is stored once, from the smaller (type, value) to the larger, and read as
// undirected. Rows are pre-aggregated per pair and sorted to avoid lock cycles.
// Parameters:
//   $links list of {a, b (identifier node ids), count, first_seen, last_seen (epoch ms),
//                   channels (list of strings), sources (list of strings)}
UNWIND $links AS l
MATCH (a) WHERE elementId(a) = l.a
MATCH (b) WHERE elementId(b) = l.b
WITH a, b, l, datetime({epochMillis: l.first_seen}) AS first, datetime({epochMillis: l.last_seen}) AS last
MERGE (a)-[r:LINKED]->(b)
  ON CREATE SET
    r.count = l.count,
    r.first_seen = first,
    r.last_seen = last,
    r.channels = l.channels,
    r.sources = l.sources
  ON MATCH SET
    r.count = r.count + l.count,
    r.first_seen = CASE WHEN first < r.first_seen THEN first ELSE r.first_seen END,
    r.last_seen = CASE WHEN last > r.last_seen THEN last ELSE r.last_seen END,
    r.channels = r.channels + [c IN l.channels WHERE NOT c IN r.channels],
    r.sources = r.sources + [s IN l.sources WHERE NOT s IN r.sources]
