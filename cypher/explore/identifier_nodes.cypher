// Explorer: the identifiers with these keys, as they stand (the seeds of a neighbourhood
// or a path, and the nodes an expansion reached).
// Parameters: $keys list of [type, value]
// Columns: type, value, identity_id (null for shared ones), shared, hub
UNWIND $keys AS key
MATCH (i:Identifier {type: key[0], value: key[1]})
RETURN i.type AS type, i.value AS value, i.identity_id AS identity_id,
       coalesce(i.shared, false) AS shared, coalesce(i.hub, false) AS hub
