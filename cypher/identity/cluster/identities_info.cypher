// Clustering step 5: the given identity ids that exist or existed, with creation time
// (the older id survives a merge) and status (active, merged or retired).
// Parameters: $identity_ids list of strings
UNWIND $identity_ids AS pid
MATCH (p:Identity {identity_id: pid})
RETURN p.identity_id AS identity_id, p.created_at.epochMillis AS created,
       coalesce(p.status, 'active') AS status
