// Resolve: the identifiers of one identity, with when they were seen.
// Parameters: $identity_id string
MATCH (i:Identifier {identity_id: $identity_id})
RETURN i.type AS type, i.value AS value, i.first_seen AS first_seen,
       i.last_seen AS last_seen, i.event_count AS event_count
ORDER BY i.type, i.value
