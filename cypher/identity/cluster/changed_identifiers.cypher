// Clustering (incremental run): identifiers that ingest touched since the last run
// (index identifier_changed), with their last sighting in epoch ms and their change
// stamp (how many times ingest touched them: clear_changed clears only if it is still
// the one read, so a touch during the run keeps the flag).
MATCH (i:Identifier)
WHERE i.changed = true
RETURN elementId(i) AS id, i.last_seen.epochMillis AS last_seen,
       coalesce(i.change_stamp, 0) AS stamp
