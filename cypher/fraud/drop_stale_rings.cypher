// Detection write 2: rings of an earlier run that this run did not find again go.
// Parameters: $keep list of ring ids found by this run
MATCH (g:Ring)
WHERE NOT g.ring_id IN $keep
DETACH DELETE g
