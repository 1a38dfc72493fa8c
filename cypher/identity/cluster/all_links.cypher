// Clustering (full run): every co-occurrence link, streamed once (incident_links gives
// a link once from each end), with its weight and sightings (what the time rules of
// graph/identity/ties.py read).
// Parameters: none
// Columns: a, b (node ids), weight, first_seen, last_seen (epoch ms), count
MATCH (a:Identifier)-[r:LINKED]->(b:Identifier)
RETURN elementId(a) AS a, elementId(b) AS b, coalesce(r.weight, 0.0) AS weight,
       r.first_seen.epochMillis AS first_seen, r.last_seen.epochMillis AS last_seen,
       r.count AS count
