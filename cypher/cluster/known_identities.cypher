// Clustering step 5: every identity that exists or existed, with its creation time
// (the older id survives a merge) and status (active, merged or retired).
MATCH (p:Identity)
RETURN p.identity_id AS identity_id, p.created_at.epochMillis AS created,
       coalesce(p.status, 'active') AS status
