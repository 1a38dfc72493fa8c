// Clustering (full run): every identifier, streamed once, with what the run decides
// from (as identifier_nodes): type and key, whether it is a hub, its identity before.
// Parameters: none
MATCH (i:Identifier)
RETURN elementId(i) AS id, i.type AS type, i.type + ':' + i.value AS key,
       coalesce(i.hub, false) AS hub, i.identity_id AS previous
