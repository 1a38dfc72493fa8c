// Clustering: remove identities that the latest run did not produce.
// Parameters: $run string, id of the latest clustering run
MATCH (p:Identity)
WHERE p.run <> $run
DETACH DELETE p
