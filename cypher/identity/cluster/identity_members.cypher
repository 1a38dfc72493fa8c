// Clustering (incremental run): the members of the given identities.
// Parameters: $identity_ids list of strings
UNWIND $identity_ids AS pid
MATCH (i:Identifier {identity_id: pid})
RETURN elementId(i) AS id
