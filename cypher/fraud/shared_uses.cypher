// Detection step 1: shared identifiers of the poolable types and the active identities
// that use them (two or more).
// Parameters: $types list of identifier types (device, phone, card, ip)
// Returns: id (node id, opaque), type, identities (identity ids)
MATCH (s:Identifier)-[:USED_BY]->(p:Identity)
WHERE s.type IN $types AND p.status = 'active'
WITH s, collect(DISTINCT p.identity_id) AS identities
WHERE size(identities) >= 2
RETURN elementId(s) AS id, s.type AS type, identities
