// Clustering: the given identifiers are up to date again, unless ingest touched them
// after the run read their flag (their stamp moved on): those keep `changed` for the
// next run.
// Parameters: $rows list of {id (identifier node id), stamp (integer, as
//   changed_identifiers read it)}
UNWIND $rows AS r
MATCH (i) WHERE elementId(i) = r.id
WITH i, r
WHERE coalesce(i.change_stamp, 0) = r.stamp
REMOVE i.changed
