// Resolve: find the given identifiers and the identity each belongs to.
// Parameters: $identifiers list of {type, value} (normalised)
UNWIND $identifiers AS x
MATCH (i:Identifier {type: x.type, value: x.value})
RETURN i.type AS type, i.value AS value, i.identity_id AS identity_id, i.blocked AS blocked
