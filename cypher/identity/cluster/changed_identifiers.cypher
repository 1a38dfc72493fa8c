// Clustering (incremental run): identifiers that ingest touched since the last run
// (index identifier_changed), with their last sighting in epoch ms.
MATCH (i:Identifier)
WHERE i.changed = true
RETURN elementId(i) AS id, i.last_seen.epochMillis AS last_seen
