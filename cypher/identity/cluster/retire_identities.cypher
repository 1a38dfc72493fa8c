// Clustering step 7: identities the run replaced without producing them again (all
// their identifiers became shared, or were removed) are retired; merged ones keep
// pointing onwards.
// Parameters: $identity_ids list of strings, $run string
UNWIND $identity_ids AS pid
MATCH (p:Identity {identity_id: pid})
WHERE coalesce(p.status, 'active') = 'active' AND coalesce(p.run, '') <> $run
SET p.status = 'retired', p.size = 0, p.updated_at = datetime()
