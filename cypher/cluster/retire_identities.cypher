// Clustering step 7: active identities the run did not produce (all their members
// became shared, or were removed) are retired; merged ones keep pointing onwards.
// Parameters: $run string, id of this run
MATCH (p:Identity)
WHERE coalesce(p.status, 'active') = 'active' AND coalesce(p.run, '') <> $run
SET p.status = 'retired', p.size = 0, p.updated_at = datetime()
